/**
 * The one result shape of operations whose failures the caller handles (auth flows, storage, email,
 * request helpers): `{ ok: true, …fields }` or `{ ok: false, error, …fields }`, where `error` is a
 * sentence a person can act on. Edge-safe.
 */
export type Ok<T extends object = object> = { ok: true } & T;
export type Failure<F extends object = object> = { ok: false; error: string } & F;
export type Result<T extends object = object, F extends object = object> = Ok<T> | Failure<F>;
