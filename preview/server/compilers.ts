/**
 * WeChat's own compilers, as shipped in miniprogram-compiler: wcc turns every .wxml into the
 * template functions of `$gwx`, wcsc turns .wxss into the style functions WeChat's webview runs
 * (rpx resolved at run time through `window.__transformRpx__`).
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { MiniProgram } from './miniprogram'

interface WxmlCompiler {
  wxmlToJs(root: string, options?: { maxBuffer?: number }): string
}

const compilerDir = path.dirname(require.resolve('miniprogram-compiler/package.json'))
const MAX_BUFFER = 16 * 1024 * 1024

const VIEW_FILE = /\.(wxml|wxs|wxss)$/

/**
 * Runs `compile` on the app's view files as WeChat's compilers see them: the mini-program's own,
 * with the extended libraries' components and stylesheets mounted at their module paths
 * (`miniprogram_npm/…`), in a temporary directory removed afterwards.
 */
function staged<T>(mp: MiniProgram, compile: (root: string) => T): T {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-view-'))
  try {
    fs.cpSync(mp.root, stage, {
      recursive: true,
      filter: (from) => fs.statSync(from).isDirectory() || VIEW_FILE.test(from),
    })
    const outside = mp.modules.filter((m) => m.source !== path.join(mp.root, m.path))
    const files = [
      ...outside.flatMap((m) => ['.wxml', '.wxss'].map((ext) => [m.source + ext, m.path + ext])),
      ...mp.appStyles.map((s) => [`${s.source}.wxss`, `${s.path}.wxss`]),
    ]
    for (const [from, to] of files) {
      if (!fs.existsSync(from)) continue
      fs.mkdirSync(path.dirname(path.join(stage, to)), { recursive: true })
      fs.copyFileSync(from, path.join(stage, to))
    }
    return compile(stage)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}

/** The template functions as a classic script (wcc's code relies on sloppy-mode globals). */
export function compileWxml(mp: MiniProgram): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wcc = require('miniprogram-compiler') as WxmlCompiler
  const code = staged(mp, (root) => wcc.wxmlToJs(root, { maxBuffer: MAX_BUFFER }))
  return `window.__wxmlTemplates__ = (function () {\n${code}\n})();\n`
}

function wcscBinary(): string {
  const dir = { darwin: 'mac', linux: 'linux', win32: 'windows' }[process.platform as string]
  if (!dir) throw new Error(`WeChat's wcsc has no build for ${process.platform}`)
  const binary = path.join(compilerDir, 'bin', dir, dir === 'windows' ? 'wcsc.exe' : 'wcsc')
  try {
    fs.accessSync(binary, fs.constants.X_OK)
  } catch {
    // The package ships it without its execute bit.
    try {
      fs.chmodSync(binary, 0o755)
    } catch (error) {
      throw new Error(`${binary} is not executable and chmod failed`, { cause: error })
    }
  }
  return binary
}

/** wcsc prints JavaScript string contents: \xHH, \uHHHH and the one-letter escapes. */
function unescapeJs(text: string): string {
  const simple: Record<string, string> = {
    n: '\n',
    r: '\r',
    t: '\t',
    b: '\b',
    f: '\f',
    v: '\v',
    0: '\0',
  }
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
    if (escape.length > 1) return String.fromCharCode(parseInt(escape.slice(1), 16))
    return simple[escape] ?? escape
  })
}

/**
 * wcsc's shared code plus one style function per .wxss, in `window.__wxssRewriters__` keyed by
 * module path ('app' for app.wxss, the extended libraries' by theirs). Each function writes its
 * stylesheet for a class prefix.
 */
export function compileWxss(mp: MiniProgram): string {
  const styled = [
    ...mp.modules.filter((m) => m.hasWxss).map((m) => `${m.path}.wxss`),
    ...mp.appStyles.filter((s) => s.path !== 'app').map((s) => `${s.path}.wxss`),
  ]
  // app.wxss goes last and as ./app.wxss: given as app.wxss, wcsc returns it empty.
  const files = [...styled, './app.wxss']
  const result = staged(mp, (root) =>
    spawnSync(wcscBinary(), ['-pc', String(styled.length), ...files], {
      cwd: root,
      maxBuffer: MAX_BUFFER,
    }),
  )
  if (result.error) throw result.error
  if (result.status !== 0) throw new Error(`wcsc: ${result.stderr.toString()}`)
  const parts = result.stdout.toString().split('=')
  const output = new Map<string, string>()
  for (let i = 0; i + 1 < parts.length; i += 2) output.set(parts[i], unescapeJs(parts[i + 1]))
  const comm = output.get('comm')
  if (comm === undefined) throw new Error('wcsc printed no shared code')
  const entries = files.map((file) => {
    const code = output.get(file)
    if (code === undefined) throw new Error(`wcsc printed nothing for ${file}`)
    const key = file === './app.wxss' ? 'app' : file.replace(/\.wxss$/, '')
    return `  ${JSON.stringify(key)}: ${code},`
  })
  return `${comm}\nwindow.__wxssRewriters__ = {\n${entries.join('\n')}\n};\n`
}
