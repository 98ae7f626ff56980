import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias set in
 * lib/constructs/service-function.ts). Lambda always hands a function its role's credentials in
 * environment variables, so the default chain's SSO, INI, process, IMDS and web-identity providers
 * (about 135 KiB of the callback bundle, and their module loading at cold start) are dead weight.
 * Local runs and tests do not use the alias and keep the full default chain.
 */
export const defaultProvider = () => fromEnv();
