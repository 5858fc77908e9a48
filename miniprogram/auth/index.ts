/**
 * The auth module, wired: one instance per app (app.ts keeps it; pages reach it through getApp()).
 * No UI in here — pages decide what to show for each state and outcome.
 */
import { accountFlow, type AccountFlow } from './account'
import type { AuthConfig } from './config'
import { detectFeatures, type Features } from './features'
import { Http } from './http'
import { PhoneFlow } from './phone'
import { wxPlatform, type Platform } from './platform'
import { Privacy } from './privacy'
import { ProfileFlow } from './profile'
import { Requester } from './request'
import { Session } from './session'
import { UserInfoFlow } from './userinfo'

export interface Auth {
  config: AuthConfig
  features: Features
  session: Session
  requester: Requester
  phone: PhoneFlow
  userInfo: UserInfoFlow
  profile: ProfileFlow
  account: AccountFlow
  privacy: Privacy
}

/** What the app object carries, for pages and the consentPage Behavior: `getApp<AuthApp>().auth`. */
export interface AuthApp {
  auth: Auth
}

/** The auth of one app, on WeChat, or on another `platform` (a fake one in tests, say). */
export function createAuth(config: AuthConfig, platform: Platform = wxPlatform()): Auth {
  const http = new Http(platform, config)
  const session = new Session(platform, http, config)
  const requester = new Requester(session, http, config, platform)
  const features = detectFeatures(platform)
  const now = () => platform.now()
  return {
    config,
    features,
    session,
    requester,
    phone: new PhoneFlow(session, requester, config, now, features),
    userInfo: new UserInfoFlow(session, requester, config, now),
    profile: new ProfileFlow(session, requester, config),
    account: accountFlow(session, requester, config),
    privacy: new Privacy(platform),
  }
}

export { createConfig, envVersion, errorAnswer } from './config'
export type {
  AdaptAnswer,
  AnswerRoute,
  AuthConfig,
  BaseUrls,
  ConfigOptions,
  EnvVersion,
  PhoneKind,
} from './config'
export { AuthError, isAuthError, toAuthError } from './errors'
export type { AuthErrorCode } from './errors'
export type { AuthState, User } from './session'
export type { ConsentOutcome, Rejection, UnspentOutcome } from './consent'
export type { PhoneButton, PhoneNumber } from './phone'
export type { UserInfoResult } from './userinfo'
export type { AccountExport } from './account'
