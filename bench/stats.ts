/** The middle value (the upper one of an even count): robust to one slow spell of the machine. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(0)} %`
export const times = (ratio: number): string => `${ratio.toFixed(2)} ×`

export const progress = (what: string): void => {
  process.stderr.write(`bench: ${what}\n`)
}
