using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Stoa.Dashboard.Api;

/// <summary>What an endpoint answers with 200: JSON of one of <see cref="ResponseSchemas"/>, or files of these media types.</summary>
public sealed record ResponseShape(string? Schema, IReadOnlyList<string>? MediaTypes = null);

/// <summary>An endpoint that takes a batch of events as its body (ingest).</summary>
public sealed record EventsBody;

/// <summary>
/// The JSON schemas of the API's answers. The events' are made from the kinds' field tables, the
/// same tables <c>EventJson</c> writes from, so they describe exactly what is sent: each field with
/// its type, required unless it is left out when absent, and nothing else (no additional
/// properties). The envelopes, quota stats and problem details are written here.
/// </summary>
public static class ResponseSchemas
{
    public static IReadOnlyDictionary<string, OpenApiSchema> All { get; } = Build();

    /// <summary>Declares that the endpoint answers with a file of one of these media types (and the problem details of its 4xx).</summary>
    public static TBuilder AnswersFiles<TBuilder>(this TBuilder builder, params string[] mediaTypes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseShape(null, mediaTypes));

    /// <summary>Declares that the endpoint takes events: a JSON array (or one object), or NDJSON.</summary>
    public static TBuilder TakesEvents<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new EventsBody());

    /// <summary>
    /// An event as a gateway or an application sends it: an object of its kind's fields (the stored
    /// event's, without what the store adds); fields it does not know are ignored. The contract says
    /// which are required and how each is checked; a 400 names every field that is wrong.
    /// </summary>
    public static OpenApiSchema IncomingEvent { get; } = new()
    {
        Type = JsonSchemaType.Object,
        Description = "An api_request, a security event or a business_audit event, as in docs/api-contract.md.",
        Properties = AuditEvent.FieldsOf(EventKind.Request).Concat(AuditEvent.FieldsOf(EventKind.Security)).Concat(AuditEvent.FieldsOf(EventKind.Business))
            .DistinctBy(f => f.Name).ToDictionary(f => f.Name, f => (IOpenApiSchema)FieldSchema(f)),
    };

    /// <summary>Declares what the endpoint answers with 200 (and the problem details of its 4xx).</summary>
    public static TBuilder Answers<TBuilder>(this TBuilder builder, string schema) where TBuilder : IEndpointConventionBuilder =>
        All.ContainsKey(schema) ? builder.WithMetadata(new ResponseShape(schema)) : throw new ArgumentException($"No response schema '{schema}'.");

    private static Dictionary<string, OpenApiSchema> Build()
    {
        var request = Event(EventKind.Request);
        var security = Event(EventKind.Security);
        var business = Event(EventKind.Business);
        return new()
        {
            ["RequestEvent"] = request,
            ["SecurityEvent"] = security,
            ["BusinessEvent"] = business,
            ["Event"] = new OpenApiSchema { OneOf = [request, security, business] },
            ["RequestPage"] = Page("logs", request),
            ["SecurityPage"] = Page("events", security),
            ["BusinessPage"] = Page("events", business),
            ["QuotaStats"] = Object(new()
            {
                ["tenant_id"] = String(), ["from"] = Time(), ["to"] = Time(), ["total_requests"] = Integer(),
                ["daily"] = Array(Object(new()
                {
                    ["date"] = String(), ["requests"] = Integer(), ["errors"] = Integer(), ["rate_limited"] = Integer(),
                    ["bytes_in"] = Integer(), ["bytes_out"] = Integer(),
                })),
                ["top_consumers"] = Array(Object(new() { ["consumer_id"] = String(), ["consumer_name"] = String(), ["requests"] = Integer() })),
            }),
            ["Problem"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "title", "status" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = String(), ["title"] = String(), ["status"] = Integer(), ["detail"] = String(), ["traceId"] = String(),
                    ["errors"] = Array(new OpenApiSchema { Type = JsonSchemaType.Object }),
                },
            },
        };
    }

    /// <summary>An event of the kind as <c>EventJson.Write</c> writes it.</summary>
    private static OpenApiSchema Event(EventKind kind)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["event_type"] = kind == EventKind.Request ? Const(AuditVocabulary.RequestEventType)
                : kind == EventKind.Business ? Const(AuditVocabulary.BusinessEventType)
                : new OpenApiSchema { Type = JsonSchemaType.String, Enum = AuditVocabulary.SecurityEventTypes.Select(t => (JsonNode)JsonValue.Create(t)!).ToList() },
        };
        var required = new HashSet<string> { "event_type", "seq" };
        if (kind == EventKind.Security)
        {
            properties["type"] = properties["event_type"];
            required.Add("type");
        }
        foreach (var field in AuditEvent.FieldsOf(kind).Where(f => f.Name != "event_type"))
        {
            properties[field.Name] = FieldSchema(field);
            if (field.Type != FieldType.Text || field.Absent != WhenAbsent.LeftOut) required.Add(field.Name);
        }
        properties["seq"] = Integer();
        return new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Required = required, AdditionalPropertiesAllowed = false };
    }

    private static OpenApiSchema FieldSchema(EventField field) => field.Type switch
    {
        FieldType.Integer => Integer(),
        FieldType.Time => Time(),
        FieldType.Json => new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Array | JsonSchemaType.Null },
        _ when field.Absent == WhenAbsent.Null => new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
        _ => String(),
    };

    private static OpenApiSchema Page(string arrayName, OpenApiSchema item) => Object(new()
    {
        [arrayName] = Array(item),
        ["count"] = Integer(),
        ["next_cursor"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
    });

    /// <summary>An object with these properties, all required, no others.</summary>
    private static OpenApiSchema Object(Dictionary<string, IOpenApiSchema> properties) => new()
    {
        Type = JsonSchemaType.Object, Properties = properties, Required = properties.Keys.ToHashSet(), AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Array(IOpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };
    private static OpenApiSchema String() => new() { Type = JsonSchemaType.String };
    private static OpenApiSchema Integer() => new() { Type = JsonSchemaType.Integer, Format = "int64" };
    private static OpenApiSchema Time() => new() { Type = JsonSchemaType.String, Format = "date-time" };
    private static OpenApiSchema Const(string value) => new() { Type = JsonSchemaType.String, Const = value };
}
