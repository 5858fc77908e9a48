/**
 * The one place to point this mini-program at its backend, one per build: createConfig (in
 * auth/config.ts) picks by the version WeChat reports, so a preview never talks to production.
 * `npm run upload` refuses to upload while the release one is a placeholder or not HTTPS.
 */
import type { BaseUrls } from './auth/config'

export const BASE_URLS: BaseUrls = {
  // The reference server of `npm start`. On a phone, use the LAN address of the computer instead.
  develop: 'http://127.0.0.1:3000',
  // Replace with the HTTPS domains whitelisted in the admin console (开发管理 → 服务器域名).
  trial: 'https://trial-api.example.com',
  release: 'https://api.example.com',
}
