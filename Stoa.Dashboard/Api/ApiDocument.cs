using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Stoa.Dashboard.Api;

/// <summary>
/// An endpoint's query (or form body), declared once as the code that reads it
/// (<see cref="ApiDocument.WithQuery{TBuilder, T}"/>, <see cref="ApiDocument.WithForm{TBuilder, T}"/>), with what a
/// field means here when it is not what <see cref="ParameterDocs"/> says.
/// </summary>
public sealed record QueryShape(Action<QueryReader> Read, bool Form = false, IReadOnlyDictionary<string, string>? Meanings = null);

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>, made by <c>Microsoft.AspNetCore.OpenApi</c>
/// from the endpoints themselves. The endpoints read their query by hand (every problem at once,
/// unknown names refused), so each declares its reader as metadata: the document runs it on an
/// empty query to list the parameters with their types and ranges, the endpoint runs the same code
/// on each request, and the two cannot drift.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";
    /// <summary>Scalar's API reference over the document: every endpoint, and "try it" with a token the person types in.</summary>
    public const string ReferencePath = "/api-reference";

    /// <summary>The document, and Scalar's reference page under the app's content policy (its scripts carry the page's nonce).</summary>
    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, (options, http) => options
            .WithTitle("Stoa audit API")
            .WithOpenApiRoutePattern(Path)
            .AddPreferredSecuritySchemes("stoa")
            .DisableDefaultFonts() // they come from fonts.scalar.com, which the content policy (and an offline server) refuses
            .DisableTelemetry() // nothing about who reads the reference leaves the server
            .DisableAgent()
            .HideDeveloperTools()
            .WithNonce(Auth.SecurityHeaders.Nonce(http)!));
    }

    /// <summary>Declares the endpoint's query as <paramref name="read"/>, which the handler must use to read it.</summary>
    public static TBuilder WithQuery<TBuilder, T>(this TBuilder builder, Func<QueryReader, T> read) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryShape(q => read(q)));

    /// <summary>Declares the endpoint's form body (<c>application/x-www-form-urlencoded</c>) as <paramref name="read"/>, read like a query.</summary>
    public static TBuilder WithForm<TBuilder, T>(this TBuilder builder, Func<QueryReader, T> read, IReadOnlyDictionary<string, string>? meanings = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryShape(q => read(q), Form: true, meanings));

    public static IServiceCollection AddApiDocument(this IServiceCollection services, IConfiguration configuration) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            // Every endpoint wants a bearer token: Stoa's own (stoa_…), or an Entra access token when Entra is set up.
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["stoa"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A Stoa token (stoa_…): `tokens create`, or the access page for clients.",
                },
            };
            if (Auth.Entra.EntraSignIn.IsConfigured(configuration))
                document.Components.SecuritySchemes["entra"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "A Microsoft Entra ID access token for this app.",
                };
            document.Security = document.Components.SecuritySchemes.Keys
                .Select(name => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(name, document)] = [] }).ToList();
            document.Info = new OpenApiInfo
            {
                Title = "Stoa audit API",
                Version = "v1",
                Description = "The STOA gateway's audit API (docs/api-contract.md) and what Stoa adds: seq, exports, evidence, retention, forwarding, alerts.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<EventsBody>().Any()) DescribeEventsBody(operation);
            if (metadata.OfType<ResponseShape>().LastOrDefault() is { } answer) DescribeAnswers(operation, answer);
            if (metadata.OfType<QueryShape>().LastOrDefault() is { } shape) DescribeQuery(operation, shape);
            return Task.CompletedTask;
        });
    });

    /// <summary>Ingest's body: a JSON array of events (or one), or NDJSON.</summary>
    private static void DescribeEventsBody(OpenApiOperation operation) => operation.RequestBody = new OpenApiRequestBody
    {
        Required = true,
        Description = "The events, stored whole or not at all.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Array, Items = ResponseSchemas.IncomingEvent }, ResponseSchemas.IncomingEvent] } },
            ["application/x-ndjson"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One event object a line." } },
        },
    };

    /// <summary>The 200 (a JSON schema, or files of some media types) and the problem details of 400 and 403.</summary>
    private static void DescribeAnswers(OpenApiOperation operation, ResponseShape answer)
    {
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["200"] = answer.Schema is { } schema
            ? Response("OK", "application/json", ResponseSchemas.All[schema])
            : new OpenApiResponse
            {
                Description = "The file, streamed.",
                Content = answer.MediaTypes!.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } }),
            };
        operation.Responses["400"] = Response("A parameter is wrong: each problem names it.", "application/problem+json", ResponseSchemas.All["Problem"]);
        operation.Responses["403"] = Response("The token may not read this tenant (or, for a client, this record).", "application/problem+json",
            ResponseSchemas.All["Problem"]);
    }

    /// <summary>The parameters the endpoint's reader reads, as query parameters or as the fields of its form body.</summary>
    private static void DescribeQuery(OpenApiOperation operation, QueryShape shape)
    {
        var fields = QueryReader.Describe(shape.Read);
        string Meaning(QueryParameter p) => shape.Meanings?.GetValueOrDefault(p.Name) is { } meaning ? meaning : ParameterDocs.Describe(p);
        if (shape.Form)
        {
            var form = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>() };
            foreach (var field in fields)
            {
                var schema = Schema(field);
                schema.Description = Meaning(field);
                form.Properties[field.Name] = schema;
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/x-www-form-urlencoded"] = new OpenApiMediaType { Schema = form } },
            };
            return;
        }
        operation.Parameters ??= [];
        foreach (var parameter in fields)
            operation.Parameters.Add(new OpenApiParameter { Name = parameter.Name, In = ParameterLocation.Query, Description = Meaning(parameter), Schema = Schema(parameter) });
    }

    private static OpenApiResponse Response(string description, string contentType, OpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new OpenApiMediaType { Schema = schema } },
    };

    private static OpenApiSchema Schema(QueryParameter p) => new()
    {
        Type = p.Type switch { "integer" => JsonSchemaType.Integer, "number" => JsonSchemaType.Number, _ => JsonSchemaType.String },
        Format = p.Format,
        Minimum = p.Minimum?.ToString(CultureInfo.InvariantCulture),
        Maximum = p.Maximum?.ToString(CultureInfo.InvariantCulture),
        MaxLength = p.MaxLength,
        Pattern = p.Pattern,
        Enum = p.Values is { } values && !p.CommaSeparated ? values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList() : null,
    };
}
