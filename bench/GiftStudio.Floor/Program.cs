using System;
using System.Linq;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The floor of bench/Invoke-ServerBench.ps1: a minimal ASP.NET Core app (CreateSlimBuilder, no
// logging) with the sandbox's score route, which parses the JSON body and answers an object of
// the same shape, and /health for the start-up measure. Run with --urls http://127.0.0.1:PORT
// (0 picks one: the first line says "Listening on URL", like the sandbox's).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, FloorJson.Default));
var app = builder.Build();
app.MapGet("/health", () => new Health("ok"));
app.MapPost("/v2/gamification/score", (ScoreUpdate update) => update);
await app.StartAsync();
Console.WriteLine($"Listening on {app.Urls.First()}");
await app.WaitForShutdownAsync();

internal sealed record ScoreUpdate(
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("metric")] string Metric,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("value")] long Value);

internal sealed record Health([property: JsonPropertyName("status")] string Status);

[JsonSerializable(typeof(ScoreUpdate))]
[JsonSerializable(typeof(Health))]
internal sealed partial class FloorJson : JsonSerializerContext;
