/**
 * `npm run upload` and `npm run preview-qr` act for a real account with its code-upload key, so
 * here only their refusals can run: without an AppID and a key they say what to set and where to
 * get it, exit non-zero, and never reach WeChat; and `npm run upload` will not ship a release whose
 * backend is a placeholder or not HTTPS.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { releaseUrlProblem } from '../../scripts/wechat/release'
import { BASE_URLS } from '../../miniprogram/config'
import { runScript } from '../support/script'

const UPLOAD = 'scripts/wechat/upload.ts'
const PREVIEW = 'scripts/wechat/preview.ts'
const APPID = 'wx1234567890abcdef'
const UNSET = { WECHAT_APPID: undefined, WECHAT_UPLOAD_KEY: undefined }

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-deploy-'))
const key = path.join(dir, `private.${APPID}.key`)
fs.writeFileSync(key, 'not a real key')
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

it.each([
  ['npm run upload', UPLOAD],
  ['npm run preview-qr', PREVIEW],
])('%s with nothing set names both variables and where to get them', async (command, script) => {
  const { code, stdout, stderr } = await runScript(script, [], UNSET)
  expect(stderr).toContain(`${command} needs`)
  expect(stderr).toMatch(
    /set WECHAT_APPID to .*开发管理 → 开发设置.*project\.config\.json's appid is the placeholder wx0000000000000000/,
  )
  expect(stderr).toMatch(
    /set WECHAT_UPLOAD_KEY to .*开发管理 → 开发设置 → 小程序代码上传.*IP whitelist/,
  )
  expect(stdout).toBe('')
  expect(code).toBe(1)
})

it('refuses the placeholder AppID even when WECHAT_APPID says so', async () => {
  const { code, stderr } = await runScript(UPLOAD, [], {
    WECHAT_APPID: 'wx0000000000000000',
    WECHAT_UPLOAD_KEY: key,
  })
  expect(stderr).toContain('WECHAT_APPID is the placeholder wx0000000000000000')
  expect(stderr).not.toContain('WECHAT_UPLOAD_KEY')
  expect(code).toBe(1)
})

it('refuses an AppID that is not one', async () => {
  const { code, stderr } = await runScript(PREVIEW, [], {
    WECHAT_APPID: 'wx123',
    WECHAT_UPLOAD_KEY: key,
  })
  expect(stderr).toContain('WECHAT_APPID must look like wx followed by 16 hex digits (got "wx123")')
  expect(code).toBe(1)
})

it('refuses a key path that is not a readable file, naming it', async () => {
  const missing = path.join(dir, 'missing.key')
  const { code, stderr } = await runScript(UPLOAD, [], {
    WECHAT_APPID: APPID,
    WECHAT_UPLOAD_KEY: missing,
  })
  expect(stderr).toContain(`WECHAT_UPLOAD_KEY is "${missing}", not a readable file`)
  expect(stderr).not.toContain('WECHAT_APPID')
  expect(code).toBe(1)
})

it('refuses a flag it does not know, listing the ones it does', async () => {
  const { code, stderr } = await runScript(UPLOAD, ['--versoin', '1.2.3'], {
    WECHAT_APPID: APPID,
    WECHAT_UPLOAD_KEY: key,
  })
  expect(stderr).toContain("npm run upload: Unknown option '--versoin'")
  expect(stderr).toContain('allowed: --version, --desc')
  expect(code).toBe(1)
})

describe("the release build's backend (BASE_URLS.release)", () => {
  it('npm run upload refuses it while it is the placeholder, saying where to set what, with a valid account', async () => {
    expect(BASE_URLS.release).toBe('https://api.example.com')
    const { code, stdout, stderr } = await runScript(UPLOAD, [], {
      WECHAT_APPID: APPID,
      WECHAT_UPLOAD_KEY: key,
    })
    expect(stderr).toContain(
      'npm run upload refuses to upload a build whose release cannot reach its backend',
    )
    expect(stderr).toMatch(
      /BASE_URLS\.release in miniprogram\/config\.ts: https:\/\/api\.example\.com is a placeholder.*服务器域名/,
    )
    expect(stderr).not.toContain('WECHAT_')
    expect(stdout).toBe('')
    expect(code).toBe(1)
  })

  it('npm run preview-qr does not ask: a preview runs as the develop build', async () => {
    const { stderr } = await runScript(PREVIEW, [], UNSET)
    expect(stderr).not.toContain('BASE_URLS.release')
  })

  it.each([
    ['http://api.weapp-login.cn', 'is not HTTPS'],
    ['ftp://api.weapp-login.cn', 'is not HTTPS'],
    ['https://trial-api.example.com', 'is a placeholder (trial-api.example.com is reserved'],
    ['https://example.org/api', 'is a placeholder'],
    ['https://api.shop.test', 'is a placeholder'],
    ['https://localhost:3000', 'is a placeholder'],
    ['https://192.168.1.20:3000', 'is an IP address'],
    ['https://[::1]', 'is an IP address'],
    ['api.weapp-login.cn', 'is not a URL'],
  ])('%s %s', (url, problem) => {
    expect(releaseUrlProblem(url)).toContain(problem)
  })

  it.each(['https://api.weapp-login.cn', 'https://examples.com', 'https://api.example.com.cn/v1'])(
    '%s can be a release backend',
    (url) => {
      expect(releaseUrlProblem(url)).toBeNull()
    },
  )
})
