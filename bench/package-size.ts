/**
 * The npm package weapp-login's JavaScript as DevTools would upload it, minified: built by
 * scripts/weapp-login into a folder of its own, each .js minified by esbuild with Chinese kept as
 * UTF-8, as DevTools keeps it. (DevTools also compiles it to ES5 when 将 JS 编译成 ES5 is on, with
 * babel's helpers beside it; that is not counted here, as for the rest of the mini-program.)
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { transformSync } from 'esbuild'
import { buildPackage, TARGET } from '../scripts/weapp-login/build'

/** Bytes of the package's JavaScript, minified. */
export async function weappLoginJs(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-weapp-login-'))
  try {
    const { files } = await buildPackage(out)
    return files
      .filter((file) => file.endsWith('.js'))
      .map((file) => fs.readFileSync(path.join(out, file), 'utf8'))
      .map(
        (js) =>
          transformSync(js, { loader: 'js', minify: true, target: TARGET, charset: 'utf8' }).code,
      )
      .reduce((bytes, js) => bytes + Buffer.byteLength(js), 0)
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
}
