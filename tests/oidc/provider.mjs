// A real OpenID Connect provider (npm oidc-provider) for the contract tests of OIDC sign-in.
//
// One confidential client, plain HTML login and consent forms (devInteractions) that a test posts
// to with `requests`, and people read from a JSON file on every look-up, so a test can define (and
// change) who exists while the provider runs:
//
//   { "ana": { "sub": "sub-ana", "email": "ana@firm.example", "email_verified": true, "name": "Ana" } }
//
// The key is what is typed in the login field (any password is accepted); `sub` is the subject the
// provider reports for that person (oidc-provider uses the account id as subject, so the login form
// is translated to it below). Without `sub`, the login is the subject.
//
// Settings, from the environment (or argv as --name=value, e.g. --port=9000):
//   OIDC_PORT            port to listen on (127.0.0.1 only)                       required
//   OIDC_CLIENT_ID       client id                                                 default "advocacy"
//   OIDC_CLIENT_SECRET   client secret                                             required
//   OIDC_REDIRECT_URIS   comma-separated redirect URIs of the client               required
//   OIDC_ACCOUNTS_FILE   path of the JSON file of accounts                         required
//   OIDC_CONFORM_ID_TOKEN_CLAIMS  "true": e-mail and name only at /userinfo, as several real
//                        providers do (default "false": in the ID token too)
//
// PKCE is required for every authorization request, as OAuth 2.1 and the OAuth security best
// current practice make it; oidc-provider 9.x accepts only the S256 method.
//
// Always 127.0.0.1, never localhost: the redirect URI must match exactly, and the app's session
// cookie (Authlib's state and nonce) only comes back to the host name it was set for.

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import process from "node:process";

import Provider from "oidc-provider";

function setting(name, fallback) {
  const flag = `--${name.replace(/^OIDC_/, "").toLowerCase().replaceAll("_", "-")}=`;
  const fromArgv = process.argv.slice(2).find((arg) => arg.startsWith(flag));
  const value = fromArgv ? fromArgv.slice(flag.length) : process.env[name];
  if (value === undefined || value === "") {
    if (fallback === undefined) {
      console.error(`provider.mjs: ${name} is required`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

const port = Number.parseInt(setting("OIDC_PORT"), 10);
const clientId = setting("OIDC_CLIENT_ID", "advocacy");
const clientSecret = setting("OIDC_CLIENT_SECRET");
const redirectUris = setting("OIDC_REDIRECT_URIS").split(",").map((uri) => uri.trim()).filter(Boolean);
const accountsFile = setting("OIDC_ACCOUNTS_FILE");
const conformIdTokenClaims = setting("OIDC_CONFORM_ID_TOKEN_CLAIMS", "false") === "true";
const issuer = `http://127.0.0.1:${port}`;

function readAccounts() {
  try {
    return JSON.parse(readFileSync(accountsFile, "utf8"));
  } catch (error) {
    console.error(`provider.mjs: cannot read ${accountsFile}: ${error.message}`);
    return {};
  }
}

// A fresh signing key per run, so the provider does not fall back to (and warn about) its dev keys.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  // false: put the scope's claims (email, email_verified, name) in the ID token too; /userinfo
  // answers with them either way.
  conformIdTokenClaims,
  // An authorization request without code_challenge is refused (invalid_request), even from this
  // confidential client: the app must send PKCE to sign anyone in.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    userinfo: { enabled: true },
  },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  // Called with the subject (see the login translation below); read on every call, so a test can
  // change someone's e-mail between two sign-ins.
  async findAccount(_ctx, sub) {
    const account = Object.entries(readAccounts())
      .map(([login, person]) => ({ ...person, sub: person.sub ?? login }))
      .find((person) => person.sub === sub);
    if (!account) {
      return undefined;
    }
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: account.email_verified ?? false,
          name: account.name ?? "",
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);

// devInteractions signs in the account whose id is typed in the login field, and oidc-provider uses
// that id as the subject. Translate the login to the person's `sub` before the form is handled, so
// subjects can differ from logins the way opaque subjects of real providers do.
provider.use(async (ctx, next) => {
  const loginForm = ctx.method === "POST" && /^\/interaction\/[^/]+$/.test(ctx.path);
  if (loginForm && ctx.is("application/x-www-form-urlencoded")) {
    const chunks = [];
    for await (const chunk of ctx.req) {
      chunks.push(chunk);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const person = readAccounts()[form.get("login")];
    if (form.get("prompt") === "login" && person?.sub) {
      form.set("login", person.sub);
    }
    ctx.req.body = form.toString(); // the body stream is consumed: oidc-provider reads this instead
  }
  await next();
});

provider.on("server_error", (_ctx, error) => console.error("provider.mjs server_error:", error));

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc test provider ready at ${issuer}`);
});

function stop() {
  // Keep-alive connections from the test's HTTP clients would keep the process alive otherwise.
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
