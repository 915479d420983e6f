/**
 * Polls until `condition` holds, for what a test cannot be told about (a worker's side effects, a child
 * process becoming ready). The bound is generous and only ends a hung test; it asserts nothing about speed.
 */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  options: { what: string; timeoutMs?: number; intervalMs?: number; detail?: () => string },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000)
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what}${options.detail ? `: ${options.detail()}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25))
  }
}
