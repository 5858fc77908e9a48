/** Where each route of the contract answers; DELETE on `me` closes the account. */
export const API_PATHS = {
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  logoutAll: '/api/auth/logout-all',
  phone: '/api/auth/phone',
  userInfo: '/api/auth/userinfo',
  me: '/api/me',
  profile: '/api/me/profile',
  avatar: '/api/me/avatar',
  unbindPhone: '/api/me/phone',
  export: '/api/me/export',
} as const
