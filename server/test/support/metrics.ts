/** Prometheus' text format, read as a scraper reads it: samples by name and labels. */

export interface Scrape {
  text: string
  /**
   * The sum of the samples of `name` whose labels include `labels` (all of a histogram's series
   * by route, say); undefined when none is there.
   */
  value(name: string, labels?: Record<string, string>): number | undefined
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function readScrape(text: string): Scrape {
  const samples = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE.exec(line)
      if (!match) throw new Error(`not a sample: ${line}`)
      const [, name = '', labels = '', value = ''] = match
      return {
        name,
        labels: Object.fromEntries([...labels.matchAll(LABEL)].map(([, key, v]) => [key, v])),
        value: Number(value),
      }
    })
  return {
    text,
    value(name, labels = {}) {
      const matching = samples.filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      )
      return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0)
    },
  }
}

/** GET `url` as Prometheus would, with `token` as its bearer token. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`scrape ${url}: ${response.status} ${text}`)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return readScrape(text)
}
