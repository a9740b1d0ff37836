// The worker count asked for in the environment, shared by every collector that can use workers.

/** ES2SCOPE_WORKERS=n overrides the default worker count (1 = serial read; for A/B timing). */
export function envWorkers(): number | undefined {
  const v = process.env.ES2SCOPE_WORKERS;
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
