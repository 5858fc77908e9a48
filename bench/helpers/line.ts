// The first line each helper process of the bench prints, and how the bench reads it.

export const helperLine = (url: string): string => `bench helper listening on ${url}`

export function parseHelperLine(line: string): string | null {
  return /^bench helper listening on (http:\/\/\S+)$/.exec(line)?.[1] ?? null
}
