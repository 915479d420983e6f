import * as client from 'openid-client'

export interface OidcSettings {
  issuer: string
  clientId: string
  clientSecret: string
}

export interface TokenSet {
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  expiresAt: Date
}

/**
 * Sign-in at the region's identity provider: authorization code with PKCE (openid-client). The provider's
 * access token is the JWT the services verify; it never reaches the browser.
 */
export class OidcSignIn {
  private constructor(
    private readonly configuration: client.Configuration,
    private readonly redirectUri: string,
  ) {}

  static async discover(settings: OidcSettings, redirectUri: string): Promise<OidcSignIn> {
    const issuer = new URL(settings.issuer)
    const insecure = issuer.protocol === 'http:'
    const configuration = await client.discovery(
      issuer,
      settings.clientId,
      settings.clientSecret,
      undefined,
      // A plain-http issuer only where it is local: development and the tests' own provider.
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    )
    return new OidcSignIn(configuration, redirectUri)
  }

  get issuerOrigin(): string {
    return new URL(this.configuration.serverMetadata().issuer).origin
  }

  async start(): Promise<{ url: string; state: string; nonce: string; codeVerifier: string }> {
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(this.configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'consent',
    })
    return { url: url.href, state, nonce, codeVerifier }
  }

  async finish(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
    now: Date,
  ): Promise<TokenSet> {
    const tokens = await client.authorizationCodeGrant(this.configuration, callbackUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
    })
    return toSet(tokens, now)
  }

  async refresh(refreshToken: string, now: Date): Promise<TokenSet> {
    return toSet(await client.refreshTokenGrant(this.configuration, refreshToken), now)
  }

  /** Where the browser goes to end the provider's session too; back to the console's sign-in page. */
  logoutUrl(idToken: string | null, returnTo: string): string | null {
    if (!this.configuration.serverMetadata().end_session_endpoint) return null
    return client.buildEndSessionUrl(this.configuration, {
      post_logout_redirect_uri: returnTo,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href
  }
}

function toSet(
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  now: Date,
): TokenSet {
  const expiresIn = tokens.expiresIn() ?? 300
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    idToken: tokens.id_token ?? null,
    expiresAt: new Date(now.getTime() + expiresIn * 1000),
  }
}
