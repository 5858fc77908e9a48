/**
 * @jest-environment node
 *
 * Every .wxml through glass-easel's template compiler, the one behind Skyline and WeChat's new
 * component framework: no error or warning, every import found, and every event binding compiled
 * as an event. The version on npm compiles `bindtap="…"` (no colon) as a plain attribute, a tap
 * that silently does nothing, so the templates write `bind:tap="…"`, which wcc reads the same.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { TmplGroup } from 'glass-easel-template-compiler'

const ROOT = path.resolve(__dirname, '../../miniprogram')

function wxmlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return wxmlFiles(full)
    return entry.name.endsWith('.wxml') ? [full] : []
  })
}

interface Diagnostic {
  level: string
  message: string
  startLine: number
  startColumn: number
}

const files = wxmlFiles(ROOT).map((file) => ({
  /** As the compiler names a template: its path from the mini-program root, no extension. */
  name: path.relative(ROOT, file).replace(/\.wxml$/, ''),
  source: fs.readFileSync(file, 'utf8'),
}))
const group = new TmplGroup()
const diagnostics = new Map(
  files.map(({ name, source }) => [name, group.addTmpl(name, source) as Diagnostic[]]),
)

it('finds the pages, the privacy dialog and the shared templates', () => {
  expect(files.map((f) => f.name).sort()).toEqual([
    'components/privacy-dialog/index',
    'pages/account/index',
    'pages/index/index',
    'pages/login/index',
    'pages/phone/index',
    'templates/status',
  ])
})

it.each(files.map((f) => f.name))('%s compiles without an error or a warning', (name) => {
  const said = diagnostics
    .get(name)!
    .map((d) => `${d.level} ${d.startLine + 1}:${d.startColumn + 1} ${d.message}`)
  expect(said).toEqual([])
  for (const dependency of group.getDirectDependencies(name) as string[]) {
    expect(files.map((f) => f.name)).toContain(dependency)
  }
})

it.each(files.map((f) => [f.name, f.source]))(
  '%s binds every event as an event',
  (name, source) => {
    expect(source).not.toMatch(/\s(bind|catch)[a-z]+=/)
    const generated = group.getTmplGenObject(name)
    for (const [, event, handler] of source.matchAll(/\sbind:([a-z]+)="(\w+)"/g)) {
      expect(generated).toContain(`"${event}","${handler}"`)
    }
  },
)

it('does fail a template that is not well formed', () => {
  const broken = new TmplGroup().addTmpl('broken', '<view>\n<text>{{name</view>') as Diagnostic[]
  expect(broken.some((d) => d.level === 'Fatal')).toBe(true)
})
