/**
 * Package size: what DevTools would upload. DevTools compiles each .ts on its own, as tsc does for
 * tsconfig.json (ES2020, CommonJS), and minifies each file with terser, as miniprogram-ci's
 * minifyjs does (`toplevel: true`: a file's top-level names are shortened too; Chinese kept as
 * UTF-8). And the npm package weapp-login's JavaScript as DevTools would upload it: built by
 * scripts/weapp-login into a folder of its own, each .js minified the same way. (DevTools also
 * compiles it to ES5 when 将 JS 编译成 ES5 is on, with babel's helpers beside it; that is not
 * counted here, as for the rest of the mini-program.)
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { minify_sync as terser } from 'terser'
import ts from 'typescript'
import { buildPackage } from '../../scripts/weapp-login/build'

const ROOT = path.resolve(__dirname, '../..')

/** The part of the auth module that the avatar/nickname fill-in and the privacy agreement add. */
const FILL_IN = ['auth/privacy.ts', 'auth/profile.ts', 'auth/features.ts']

function compile(source: string): string {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT)
  const js = ts.transpileModule(source, { compilerOptions: { ...options, removeComments: true } })
  return minifyAsDevTools(js.outputText)
}

/** miniprogram-ci's minification of one file (corecompiler/original/js/minifyjs.js). */
function minifyAsDevTools(js: string): string {
  const { code } = terser(js, {
    output: { comments: false },
    toplevel: true,
    compress: { drop_console: false, drop_debugger: false },
  })
  if (code === undefined) throw new Error('terser returned no code')
  return code
}

/** The files `entry` requires when it runs, itself included, followed through `compiled`. */
function loadedBy(entry: string, compiled: Map<string, string>): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, specifier] of (compiled.get(file) ?? '').matchAll(/require\("(\.[^"]*)"\)/g)) {
      visit(path.resolve(path.dirname(file), specifier) + '.ts')
    }
  }
  visit(entry)
  return seen
}

export interface PackageSizes {
  total: number
  js: number
  wxml: number
  wxss: number
  json: number
  auth: number
  fillIn: number
}

/** What DevTools would upload of miniprogram/: each file's bytes, the .ts compiled. */
export function packageSize(): PackageSizes {
  const sizes = { total: 0, js: 0, wxml: 0, wxss: 0, json: 0, auth: 0, fillIn: 0 }
  const root = path.join(ROOT, 'miniprogram')
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? walk(full) : [full]
    })
  const compiled = new Map<string, string>()
  for (const file of walk(root)) {
    const source = fs.readFileSync(file, 'utf8')
    const ext = path.extname(file).slice(1)
    if (ext === 'ts') {
      const js = compile(source)
      compiled.set(file, js)
      sizes.js += Buffer.byteLength(js)
      if (FILL_IN.includes(path.relative(root, file))) sizes.fillIn += Buffer.byteLength(js)
    } else if (ext === 'wxml' || ext === 'wxss' || ext === 'json') {
      sizes[ext] += Buffer.byteLength(source)
    }
  }
  // The auth module is auth/ and the part of the contract (contract/) it loads: its answer
  // schemas, their reader and the nickname rule. Types it imports from there weigh nothing.
  const moduleDirs = [path.join(root, 'auth'), path.join(root, 'contract')].map(
    (dir) => dir + path.sep,
  )
  for (const file of loadedBy(path.join(root, 'auth/index.ts'), compiled)) {
    if (moduleDirs.some((dir) => file.startsWith(dir)))
      sizes.auth += Buffer.byteLength(compiled.get(file)!)
  }
  sizes.total = sizes.js + sizes.wxml + sizes.wxss + sizes.json
  return sizes
}

/** Bytes of the package's JavaScript, minified. */
export async function weappLoginJs(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-weapp-login-'))
  try {
    const { files } = await buildPackage(out)
    return files
      .filter((file) => file.endsWith('.js'))
      .map((file) => fs.readFileSync(path.join(out, file), 'utf8'))
      .map(minifyAsDevTools)
      .reduce((bytes, js) => bytes + Buffer.byteLength(js), 0)
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
}
