using System.Text;
using GiftStudio.Sandbox.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace GiftStudio.Sandbox.Tests;

/// <summary>In-process rules: the idempotency fingerprint's notion of "same content", and which
/// client X-Request-Id and traceparent values are honoured.</summary>
public sealed class RequestIdentityUnitTests
{
    private static byte[] Print(string body) => Idempotency.Fingerprint("POST", "/v2/gamification/score", Encoding.UTF8.GetBytes(body));

    [Theory]
    [InlineData("""{"a":1,"b":"x"}""", """ { "b" : "x" ,"a":1 } """)]
    [InlineData("""{"a":{"y":[1,2],"x":null}}""", "{\"a\":{\"x\":null,\n\"y\":[ 1, 2 ]}}")]
    [InlineData("""{"s":"tier"}""", """{"s":"\u0074ier"}""")]
    [InlineData("""{"s":"é/"}""", """{"s":"\u00e9\/"}""")]
    public void Same_content_has_one_fingerprint(string first, string second) =>
        Assert.Equal(Print(first), Print(second));

    [Theory]
    [InlineData("""{"a":12}""", """{"a":12.0}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[2,1]}""")]
    [InlineData("""{"a":"1"}""", """{"a":1}""")]
    [InlineData("""{"a":1}""", """{"a":1,"b":null}""")]
    [InlineData("not json", "not  json")]
    public void Other_content_has_another_fingerprint(string first, string second) =>
        Assert.NotEqual(Print(first), Print(second));

    [Fact]
    public void The_route_is_part_of_the_fingerprint()
    {
        var body = Encoding.UTF8.GetBytes("""{"a":1}""");
        Assert.NotEqual(Idempotency.Fingerprint("POST", "/v2/gamification/score", body), Idempotency.Fingerprint("POST", "/v2/gamification/gifts", body));
    }

    [Theory]
    [InlineData("runbook-7.step:3", true)]
    [InlineData("user@host_1", true)]
    [InlineData("has space", false)]
    [InlineData("semi;colon", false)]
    [InlineData("", false)]
    public void Client_request_ids_are_honoured_only_when_well_formed(string id, bool honoured)
    {
        var headers = new HeaderDictionary { ["X-Request-Id"] = id };
        Assert.Equal(honoured ? id : null, RequestIdentity.ClientRequestId(headers));
        Assert.Null(RequestIdentity.ClientRequestId(new HeaderDictionary { ["X-Request-Id"] = new string('a', 129) }));
        Assert.Null(RequestIdentity.ClientRequestId(new HeaderDictionary { ["X-Request-Id"] = new Microsoft.Extensions.Primitives.StringValues(new[] { "a", "b" }) }));
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false)]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false)]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", false)]
    public void Traceparent_is_honoured_only_when_valid(string value, bool honoured) =>
        Assert.Equal(honoured ? value : null, RequestIdentity.ValidTraceparent(new HeaderDictionary { ["traceparent"] = value }));
}
