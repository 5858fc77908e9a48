/**
 * One build of the preview: the mini-program read, its templates and styles compiled by WeChat's
 * compilers, its TypeScript bundled with the runtime. A build is kept until a source file under
 * the mini-program or the preview changes, so a reload after an edit shows the edit.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { bundle } from './bundle'
import { compileWxml, compileWxss } from './compilers'
import { readMiniProgram } from './miniprogram'

export interface PreviewBuild {
  /** The built scripts, by the file name they are served under. */
  files: Record<string, string>
}

const PREVIEW_DIR = path.resolve(__dirname, '..')

/** Sizes and modification times of every file under `dirs`: cheap to take on each request. */
function fingerprint(dirs: string[]): string {
  const parts: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else {
        const stat = fs.statSync(full)
        parts.push(`${full}:${stat.size}:${stat.mtimeMs}`)
      }
    }
  }
  dirs.forEach(walk)
  return parts.join('\n')
}

export class PreviewBuilder {
  private last: { key: string; build: Promise<PreviewBuild> } | null = null

  constructor(private readonly projectRoot: string) {}

  /** The current build: the last one while nothing changed, a new one otherwise. */
  current(): Promise<PreviewBuild> {
    const mp = readMiniProgram(this.projectRoot)
    const sources = ['runtime', 'shell', 'shared'].map((dir) => path.join(PREVIEW_DIR, dir))
    const key = fingerprint([mp.root, ...sources])
    if (this.last && this.last.key === key) return this.last.build
    const build = (async (): Promise<PreviewBuild> => {
      const { runtime, panel } = await bundle(mp)
      return {
        files: {
          'runtime.js': runtime,
          'panel.js': panel,
          'wxml.js': compileWxml(mp),
          'wxss.js': compileWxss(mp),
        },
      }
    })()
    this.last = { key, build }
    // A failed build is not kept: the next request tries again (the error may be fixed by then).
    build.catch(() => {
      if (this.last?.build === build) this.last = null
    })
    return build
  }
}
