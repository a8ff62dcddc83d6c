/** Bindings of the worker: `Env` comes from `wrangler types`; secrets are declared here. */
export interface Bindings extends Env {
  /** Secret that guards `POST /v1/sites`. Unset means site creation is closed. */
  ADMIN_TOKEN?: string;
}

export type AppEnv = { Bindings: Bindings };
