using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>
/// "Our data looks wrong, something happened around then": the question as the client put it, all
/// of it in the URL (so the answer has a permanent link), and the answer from <see cref="ClientAnswer"/>.
/// </summary>
public sealed partial class AnswerPage
{
    private static readonly double[] Tolerances = [0.5, 1, 2, 6, 12, 24];
    private string? _resource, _requestId, _at, _clientZone, _consumer, _problem;
    private double _within = AnswerQuestion.DefaultTolerance.TotalHours;
    private ClientAnswer? _answer;

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required Incidents Incidents { get; init; }

    [SupplyParameterFromQuery(Name = "q")] public string? Resource { get; set; }
    [SupplyParameterFromQuery(Name = "request_id")] public string? RequestId { get; set; }
    /// <summary>A wall-clock time in the client's zone: <c>2026-12-01T03:00</c>.</summary>
    [SupplyParameterFromQuery(Name = "at")] public string? At { get; set; }
    [SupplyParameterFromQuery(Name = "within_hours")] public double? WithinHours { get; set; }
    [SupplyParameterFromQuery(Name = "client_tz")] public string? ClientZone { get; set; }
    [SupplyParameterFromQuery(Name = "consumer_id")] public string? ConsumerId { get; set; }

    protected override string FilterKey => string.Join('|', Resource, RequestId, At, WithinHours, ClientZone, ConsumerId);

    protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
    {
        (_resource, _requestId, _at, _clientZone) = (Resource, RequestId, At, ClientZone ?? View.TimeZoneParameter);
        _within = WithinHours is > 0 and <= 168 ? WithinHours.Value : AnswerQuestion.DefaultTolerance.TotalHours;
        // A client with one consumer asks about that one; an operator names the client's.
        _consumer = Scope.Consumers is { Count: 1 } mine ? mine.Single() : ConsumerId;
        (_answer, _problem) = (null, null);
        if (Resource is null && RequestId is null) return;

        var zone = DashboardView.ResolveZone(_clientZone ?? "UTC");
        var resource = ResourceRef.Parse(Resource);
        if (zone is null) _problem = $"'{_clientZone}' is not a time zone: use an IANA name such as Europe/Paris, or UTC.";
        else if (Resource is not null && resource is null) _problem = $"'{Resource}' does not name a resource: write a path (/documents/12345), 'document 12345', or the id.";
        else if (At is not null && LocalToUtc(At, zone) is null) _problem = $"'{At}' is not a date and time.";
        if (_problem is not null) return;

        var question = new AnswerQuestion(resource, string.IsNullOrWhiteSpace(RequestId) ? null : RequestId.Trim(),
            At is null ? null : LocalToUtc(At, zone!), TimeSpan.FromHours(_within), _consumer, zone!);
        _answer = await ClientAnswer.FindAsync(db, Scope, question, View.Window, ct);
    }

    private static long? LocalToUtc(string text, TimeZoneInfo zone)
    {
        if (!DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var local)) return null;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone), TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    private void Ask() => Navigation.NavigateTo(View.Link("/answer", new Dictionary<string, string?>
    {
        ["q"] = string.IsNullOrWhiteSpace(_resource) ? null : _resource.Trim(),
        ["request_id"] = string.IsNullOrWhiteSpace(_requestId) ? null : _requestId.Trim(),
        ["at"] = string.IsNullOrWhiteSpace(_at) ? null : _at,
        ["within_hours"] = _within.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["client_tz"] = string.IsNullOrWhiteSpace(_clientZone) ? null : _clientZone.Trim(),
        ["consumer_id"] = string.IsNullOrWhiteSpace(_consumer) ? null : _consumer.Trim(),
    }));

    /// <summary>The bundle of exactly this request (its consumer, method, path and millisecond), with its proof.</summary>
    private string ProofLink(RequestEvent r) => View.ExportLink("bundle", ("layer", "requests"), ("from", AuditTime.Print(r.TimestampMs)),
        ("to", AuditTime.Print(r.TimestampMs + 1)), ("consumer_id", r.ConsumerId), ("method", r.Method), ("path", r.Path));

    /// <summary>A data-corruption incident over the searched window, the answer as its first finding, linked to this question.</summary>
    private async Task OpenIncidentAsync()
    {
        var answer = _answer!;
        var (incident, problem) = await Incidents.OpenAsync(Context!.Caller, View.Tenant!, "corruption",
            $"Client asks about {answer.Question.Resource?.ToString() ?? $"request {answer.Question.RequestId}"}", answer.Window,
            answer.Sentence(), Navigation.ToBaseRelativePath(Navigation.Uri).Insert(0, "/"));
        if (incident is not null) Navigation.NavigateTo(View.Link($"/incidents/{incident.Id}"));
        else Snackbar.Add(problem!, Severity.Warning);
    }

    private Task CopyAsync() => Clipboard.CopyAsync(JS, Snackbar, _answer!.Sentence(), "Answer");
}
