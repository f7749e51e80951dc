/**
 * One error class and one code table (tRPC style). Expected outcomes are values, not errors:
 * throw only for bugs, bad input at a boundary and broken infrastructure.
 */

/** Every error code Airlock raises. */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_CONFIG'
  | 'BAD_POLICY'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DENIED'
  | 'HELD'
  | 'AUDIT_TAMPERED'
  | 'STORE_FAILURE'
  | 'CLASSIFIER_FAILURE'
  | 'POLICY_FAILURE'
  | 'TIMEOUT'
  | 'SQL_INVALID'
  | 'SQL_FAILED'
  | 'DRIFT'
  | 'TARGET_UNREACHABLE'
  | 'UNDO_CONFLICT'
  | 'INTERNAL';

/** How each code maps onto HTTP, JSON-RPC and the CLI exit status. Internal failures never get client-fault codes. */
export const ERROR_CODES: Readonly<Record<ErrorCode, { readonly http: number; readonly jsonRpc: number; readonly exit: number }>> = {
  BAD_INPUT: { http: 400, jsonRpc: -32602, exit: 64 },
  BAD_CONFIG: { http: 500, jsonRpc: -32603, exit: 78 },
  BAD_POLICY: { http: 500, jsonRpc: -32603, exit: 78 },
  UNAUTHENTICATED: { http: 401, jsonRpc: -32001, exit: 77 },
  FORBIDDEN: { http: 403, jsonRpc: -32003, exit: 77 },
  NOT_FOUND: { http: 404, jsonRpc: -32004, exit: 66 },
  CONFLICT: { http: 409, jsonRpc: -32009, exit: 75 },
  DENIED: { http: 403, jsonRpc: -32010, exit: 3 },
  HELD: { http: 202, jsonRpc: -32011, exit: 2 },
  AUDIT_TAMPERED: { http: 500, jsonRpc: -32603, exit: 65 },
  STORE_FAILURE: { http: 503, jsonRpc: -32603, exit: 74 },
  CLASSIFIER_FAILURE: { http: 500, jsonRpc: -32603, exit: 70 },
  POLICY_FAILURE: { http: 500, jsonRpc: -32603, exit: 70 },
  TIMEOUT: { http: 504, jsonRpc: -32603, exit: 75 },
  SQL_INVALID: { http: 400, jsonRpc: -32602, exit: 64 },
  SQL_FAILED: { http: 422, jsonRpc: -32012, exit: 1 },
  DRIFT: { http: 409, jsonRpc: -32013, exit: 4 },
  TARGET_UNREACHABLE: { http: 502, jsonRpc: -32014, exit: 69 },
  UNDO_CONFLICT: { http: 409, jsonRpc: -32015, exit: 75 },
  INTERNAL: { http: 500, jsonRpc: -32603, exit: 70 },
};

/** The one error class. `message` names what is wrong and how to fix it. */
export class AirlockError extends Error {
  readonly code: ErrorCode;
  constructor(options: { code: ErrorCode; message: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AirlockError';
    this.code = options.code;
  }
}

/** Wraps anything thrown into an AirlockError, keeping AirlockErrors as they are. */
export function toAirlockError(err: unknown, code: ErrorCode = 'INTERNAL'): AirlockError {
  if (err instanceof AirlockError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AirlockError({ code, message, cause: err });
}
