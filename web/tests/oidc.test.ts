import { afterEach, describe, expect, it, vi } from "vitest";
import { authorizationUrl, base64url, challengeS256, completeSignIn, randomVerifier } from "@shared/oidc";

const auth = { mode: "oidc" as const, issuer: "https://id.example/dev", client_id: "aj74-admin", redirect_uri: "https://admin.example/" };
const discovery = { issuer: auth.issuer, authorization_endpoint: `${auth.issuer}/authorize`, token_endpoint: `${auth.issuer}/oauth/token` };

function jwt(payload: object): string {
  const part = (o: object) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: "none" })}.${part(payload)}.`;
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("PKCE (RFC 7636)", () => {
  it("derives the S256 challenge of the RFC's example verifier", async () => {
    expect(await challengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes 43-character verifiers from the unreserved alphabet, never the same twice", () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(a);
  });
});

describe("the code flow", () => {
  it("sends S256, state and nonce, and completes only for the same state and nonce", async () => {
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url.endsWith("/.well-known/openid-configuration")) return new Response(JSON.stringify(discovery));
      const body = new URLSearchParams(String(init?.body));
      const flow = JSON.parse(sessionStorage.getItem("aj74.oidc") ?? "null");
      expect(flow).toBeNull(); // forgotten before the exchange: a callback works once
      expect(body.get("code")).toBe("the-code");
      expect(body.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      return new Response(JSON.stringify({ access_token: "AT", id_token: jwt({ iss: auth.issuer, aud: auth.client_id, nonce: lastNonce, name: "Ирина" }) }));
    });
    vi.stubGlobal("fetch", fetch);
    const url = new URL(await authorizationUrl(auth));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const state = url.searchParams.get("state")!;
    const lastNonce = url.searchParams.get("nonce")!;
    expect(await completeSignIn(auth, `?code=the-code&state=${state}`)).toEqual({ token: "AT", name: "Ирина" });
  });

  it("refuses a callback whose state is not the one it sent", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(discovery))));
    await authorizationUrl(auth);
    await expect(completeSignIn(auth, "?code=x&state=forged")).rejects.toThrow("не совпадает");
  });

  it("refuses an ID token made for another sign-in", async () => {
    vi.stubGlobal("fetch", vi.fn(async (url: string) => url.endsWith("openid-configuration")
      ? new Response(JSON.stringify(discovery))
      : new Response(JSON.stringify({ access_token: "AT", id_token: jwt({ iss: auth.issuer, aud: auth.client_id, nonce: "other" }) }))));
    const state = new URL(await authorizationUrl(auth)).searchParams.get("state");
    await expect(completeSignIn(auth, `?code=x&state=${state}`)).rejects.toThrow("другого входа");
  });

  it("refuses discovery metadata naming another issuer", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ ...discovery, issuer: "https://evil.example" }))));
    await expect(authorizationUrl(auth)).rejects.toThrow("поставщиком удостоверений");
  });
});
