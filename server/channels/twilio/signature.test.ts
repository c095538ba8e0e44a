import { describe, expect, test } from "vitest";
import { isValidTwilioSignature, twilioSignature } from "./signature";

// The worked example of Twilio's "Validating requests" documentation.
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const TOKEN = "12345";
const params = () => new URLSearchParams({ CallSid: "CA1234567890ABCDE", Caller: "+14158675310", Digits: "1234", From: "+14158675310", To: "+18005551212" });

describe("X-Twilio-Signature", () => {
  test("matches Twilio's documented example, whatever order the parameters came in", () => {
    expect(twilioSignature(TOKEN, URL_, params())).toBe("GvWf1cFY/Q7PnoempGyD5oXAezc=");
    const reordered = new URLSearchParams([...params().entries()].reverse());
    expect(twilioSignature(TOKEN, URL_, reordered)).toBe("GvWf1cFY/Q7PnoempGyD5oXAezc=");
  });

  test("a changed parameter, another URL, another token or no header fails", () => {
    const signature = twilioSignature(TOKEN, URL_, params());
    const tampered = params();
    tampered.set("Digits", "9999");
    expect(isValidTwilioSignature(signature, TOKEN, [URL_], params())).toBe(true);
    expect(isValidTwilioSignature(signature, TOKEN, [URL_], tampered)).toBe(false);
    expect(isValidTwilioSignature(signature, TOKEN, ["https://mycompany.com/myapp.php"], params())).toBe(false);
    expect(isValidTwilioSignature(signature, "54321", [URL_], params())).toBe(false);
    expect(isValidTwilioSignature(null, TOKEN, [URL_], params())).toBe(false);
  });

  test("behind a proxy the public URL Twilio signed is accepted too", () => {
    const signature = twilioSignature(TOKEN, "https://bots.example.com/api/webhooks/twilio", params());
    expect(isValidTwilioSignature(signature, TOKEN, ["http://10.0.0.5:3000/api/webhooks/twilio", "https://bots.example.com/api/webhooks/twilio"], params())).toBe(true);
  });
});
