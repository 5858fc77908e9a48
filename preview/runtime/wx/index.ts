/**
 * A `wx` for the browser: the APIs the mini-program calls, backed by the real server (HTTP) and
 * its emulator (WeChat's side), and absent below their base library, as on an old WeChat.
 */
import type { Router } from '../engine/router'
import { clipboardApis } from './clipboard'
import { createRequest, createUploadFile } from './network'
import { interfaceApis } from './interface'
import { loginApis } from './login'
import { navigationApis } from './navigation'
import { OpenTypes } from './open-type'
import { Privacy } from './privacy'
import { storageApis } from './storage'
import { systemApis } from './system'
import { available } from './versions'

export interface WxContext {
  appid: string
  appName: string
  router: Router
  networkTimeout: { request?: number; uploadFile?: number }
}

export interface PreviewWx {
  wx: Record<string, unknown>
  privacy: Privacy
  openTypes: OpenTypes
}

const DEFAULT_TIMEOUT_MS = 60000

export function createWx(context: WxContext): PreviewWx {
  const privacy = new Privacy(context.appName, `${context.appName}小程序隐私保护指引`)
  const wx: Record<string, unknown> = {}
  const has = (name: string) => typeof wx[name] === 'function'
  const apis: Record<string, unknown> = {
    request: createRequest(context.networkTimeout.request ?? DEFAULT_TIMEOUT_MS),
    uploadFile: createUploadFile(context.networkTimeout.uploadFile ?? DEFAULT_TIMEOUT_MS),
    ...loginApis(),
    ...storageApis(),
    ...systemApis(context.appid, has),
    ...interfaceApis((title) => context.router.setTitle(title)),
    ...navigationApis(context.router),
    ...privacy.apis(),
    ...clipboardApis(privacy),
  }
  for (const [name, fn] of Object.entries(apis)) {
    if (available(name)) wx[name] = fn
  }
  return { wx, privacy, openTypes: new OpenTypes(privacy, context.appName) }
}
