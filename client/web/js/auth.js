// Sign-in with an Amazon Cognito user pool, straight over its JSON API (no SDK):
//   POST {endpoint}/  X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth
//   AuthFlow USER_PASSWORD_AUTH (sign-in) and REFRESH_TOKEN_AUTH (refresh).
// The same calls work against real Cognito and the local runtime's identity provider.
// Tokens live in sessionStorage: they end with the tab and are not shared between tabs.

const STORAGE_KEY = "positive-chat.session";
const REFRESH_MARGIN_S = 120; // refresh this long before the ID token expires

const FRIENDLY = {
  NotAuthorizedException: "Wrong username or password.",
  UserNotFoundException: "Wrong username or password.",
  UserNotConfirmedException: "This account is not confirmed yet.",
  PasswordResetRequiredException: "This account needs a password reset.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
  LimitExceededException: "Too many attempts. Wait a moment and try again.",
  InvalidParameterException: "The sign-in request was refused by the identity provider.",
  ResourceNotFoundException: "The user pool or app client in config.json does not exist.",
};

export class AuthError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

/** The claims of a JWT (not verified: the API verifies; this is for display and expiry). */
export function decodeJwt(token) {
  const part = token.split(".")[1] || "";
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function cognitoEndpoint(userPool, region) {
  if (userPool.endpoint) return userPool.endpoint.replace(/\/?$/, "/");
  const poolRegion = (userPool.id || "").split("_")[0] || region;
  return `https://cognito-idp.${poolRegion}.amazonaws.com/`;
}

export class CognitoAuth {
  /**
   * @param {{id: string, clientId: string, endpoint?: string}} userPool
   * @param {string} region
   */
  constructor(userPool, region, { storage = globalThis.sessionStorage, fetchImpl } = {}) {
    this.clientId = userPool.clientId;
    this.endpoint = cognitoEndpoint(userPool, region);
    this.storage = storage;
    this.fetch = fetchImpl || globalThis.fetch.bind(globalThis);
    this.session = this.load();
    this.refreshing = null;
  }

  /** {username, sub, groups} of the signed-in user, or null. */
  get user() {
    if (!this.session) return null;
    const claims = decodeJwt(this.session.idToken);
    return {
      username: claims["cognito:username"] || claims.username || claims.sub,
      sub: claims.sub,
      groups: claims["cognito:groups"] || [],
    };
  }

  async signIn(username, password) {
    const result = await this.call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    if (!result.AuthenticationResult) {
      // A challenge (new password, MFA...): this small UI does not implement them.
      throw new AuthError(
        `This account needs an extra sign-in step (${result.ChallengeName || "challenge"}) ` +
          "that this page does not support yet.",
        result.ChallengeName,
      );
    }
    this.save(result.AuthenticationResult, null);
    return this.user;
  }

  /** A valid ID token (refreshed when close to expiry, or when force is true). */
  async idToken(force = false) {
    if (!this.session) throw new AuthError("Not signed in.", "NotSignedIn");
    const expiresAt = decodeJwt(this.session.idToken).exp || 0;
    if (force || expiresAt - Date.now() / 1000 < REFRESH_MARGIN_S) await this.refresh();
    return this.session.idToken;
  }

  async refresh() {
    if (!this.session) throw new AuthError("Not signed in.", "NotSignedIn");
    if (!this.refreshing) {
      const refreshToken = this.session.refreshToken;
      this.refreshing = this.call("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: this.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      })
        .then((result) => this.save(result.AuthenticationResult, refreshToken))
        .catch((err) => {
          if (err.code === "NotAuthorizedException") this.signOut(); // refresh token expired/revoked
          throw err;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  signOut() {
    this.session = null;
    this.storage?.removeItem(STORAGE_KEY);
  }

  // -- internals -------------------------------------------------------------------

  async call(action, body) {
    let response;
    try {
      response = await this.fetch(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new AuthError(`Cannot reach the sign-in service (${err.message}).`, "NetworkError");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = String(data.__type || response.headers.get("x-amzn-errortype") || "")
        .split("#")
        .pop()
        .split(":")[0];
      throw new AuthError(FRIENDLY[code] || data.message || `Sign-in failed (${response.status}).`, code);
    }
    return data;
  }

  save(result, previousRefreshToken) {
    this.session = {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      // REFRESH_TOKEN_AUTH does not return a new refresh token: keep the old one.
      refreshToken: result.RefreshToken || previousRefreshToken,
    };
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.session));
  }

  load() {
    try {
      const saved = JSON.parse(this.storage?.getItem(STORAGE_KEY) || "null");
      return saved && saved.idToken && saved.refreshToken ? saved : null;
    } catch {
      return null;
    }
  }
}
