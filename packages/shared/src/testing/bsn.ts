/**
 * Valid BSNs (elfproef) for tests and benchmarks, distinct for distinct seeds (0 ≤ seed < 44,999,999).
 * Seed s takes the 8-digit prefix 10000000 + 2s, or the next one when that one has no valid check digit
 * (two neighbours never both lack one, and 2s ends in an even digit so +1 never carries).
 */
export function generateBsn(seed: number): string {
  for (const prefix of [10_000_000 + 2 * seed, 10_000_000 + 2 * seed + 1]) {
    const digits = String(prefix)
    let sum = 0
    for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i)
    const check = sum % 11
    if (check < 10) return `${digits}${check}`
  }
  throw new Error('unreachable: one of two neighbouring prefixes has a check digit')
}
