// GraphQL over HTTP, AppSync style: POST {query, variables}; Cognito sends the raw JWT in
// `Authorization` (no "Bearer "), the API key goes in `x-api-key`.
// AppSync puts errorType / errorInfo / data at the top level of each error.

export class GraphQLError extends Error {
  constructor(errors, { data = null, status = 200 } = {}) {
    const first = errors[0] || {};
    super(first.message || `GraphQL request failed (HTTP ${status})`);
    this.name = "GraphQLError";
    this.errors = errors;
    this.errorType = first.errorType || null;
    this.errorData = first.data ?? null;
    this.errorInfo = first.errorInfo ?? null; // e.g. ValidationError: {field, limit}
    this.data = data;
    this.status = status;
  }
}

export class GraphQLClient {
  /**
   * @param {string} url  https://…appsync-api…/graphql
   * @param {(force: boolean) => Promise<object>} getAuthorization  auth headers
   */
  constructor(url, getAuthorization, { fetchImpl } = {}) {
    this.url = url;
    this.getAuthorization = getAuthorization;
    this.fetch = fetchImpl || globalThis.fetch.bind(globalThis);
  }

  /** Run one operation; resolves to `data`, rejects with GraphQLError. */
  async request(query, variables = {}) {
    let result = await this.post(query, variables, false);
    if (result.status === 401) result = await this.post(query, variables, true); // stale token
    const { status, body } = result;
    if (body.errors && body.errors.length) {
      throw new GraphQLError(body.errors, { data: body.data ?? null, status });
    }
    if (status >= 400 || !body.data) {
      throw new GraphQLError([{ message: body.message || `HTTP ${status}` }], { status });
    }
    return body.data;
  }

  async post(query, variables, forceRefresh) {
    const headers = { "Content-Type": "application/json", ...(await this.getAuthorization(forceRefresh)) };
    let response;
    try {
      response = await this.fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new GraphQLError([{ message: `Cannot reach the API (${err.message}).`, errorType: "NetworkError" }], {
        status: 0,
      });
    }
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  }
}
