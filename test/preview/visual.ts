/**
 * Screenshots compared with the committed baselines in docs/screenshots (the README's pictures
 * too): a small tolerance for anti-aliasing, nothing written to the tree. After a deliberate
 * change, `npm run screenshots` writes the new baselines instead; a failed comparison leaves the
 * actual image and its diff in a temporary folder, named in the failure.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import pixelmatch from 'pixelmatch'
import { PNG } from 'pngjs'

export const BASELINES = path.resolve(__dirname, '../../docs/screenshots')
const FAILURES = path.join(os.tmpdir(), 'weapp-login-screenshots')
/** Per pixel: pixelmatch's colour distance (0 to 1) below which two pixels count as the same. */
const PIXEL_THRESHOLD = 0.1
/** Per image: the share of differing pixels tolerated. */
const MAX_DIFF_RATIO = 0.001

export const updating = process.env.UPDATE_SCREENSHOTS === '1'

/** null when `image` matches the baseline `name`; otherwise why not, and where to look. */
export function compareWithBaseline(name: string, image: Buffer): string | null {
  const file = path.join(BASELINES, `${name}.png`)
  if (updating) {
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(image)) fs.writeFileSync(file, image)
    return null
  }
  if (!fs.existsSync(file)) return `no baseline ${file}: npm run screenshots writes it`
  const expected = PNG.sync.read(fs.readFileSync(file))
  const actual = PNG.sync.read(image)
  fs.mkdirSync(FAILURES, { recursive: true })
  const keep = () => fs.writeFileSync(path.join(FAILURES, `${name}.actual.png`), image)
  if (expected.width !== actual.width || expected.height !== actual.height) {
    keep()
    return (
      `${name}: ${actual.width}×${actual.height}, the baseline is ${expected.width}×${expected.height} ` +
      `(actual in ${FAILURES}; npm run screenshots after a deliberate change)`
    )
  }
  const diff = new PNG({ width: actual.width, height: actual.height })
  const pixels = actual.width * actual.height
  const differing = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
  })
  if (differing <= pixels * MAX_DIFF_RATIO) return null
  keep()
  fs.writeFileSync(path.join(FAILURES, `${name}.diff.png`), PNG.sync.write(diff))
  return (
    `${name}: ${differing} pixels differ from the baseline (${((100 * differing) / pixels).toFixed(2)} %, ` +
    `${(100 * MAX_DIFF_RATIO).toFixed(1)} % tolerated); actual and diff in ${FAILURES} ` +
    '(npm run screenshots after a deliberate change)'
  )
}
