/** wx storage in the browser's localStorage: it outlives a relaunch, as a phone's does. */
import { appStorage } from '../../shared/state'
import { api } from './callbacks'

function copy(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown)
}

export function storageApis() {
  const getStorageSync = (key: string) => appStorage.get(key) ?? ''
  const setStorageSync = (key: string, data: unknown) => appStorage.set(key, copy(data))
  const removeStorageSync = (key: string) => appStorage.remove(key)
  const clearStorageSync = () => appStorage.keys().forEach((key) => appStorage.remove(key))
  const getStorageInfoSync = () => {
    const keys = appStorage.keys()
    const bytes = keys.reduce((n, key) => n + JSON.stringify(appStorage.get(key)).length, 0)
    return { keys, currentSize: Math.ceil(bytes / 1024), limitSize: 10240 }
  }
  return {
    getStorageSync,
    setStorageSync,
    removeStorageSync,
    clearStorageSync,
    getStorageInfoSync,
    getStorage: api('getStorage', ({ key }: { key: string }) => {
      const data = appStorage.get(key)
      if (data === undefined) throw new Error('data not found')
      return { data }
    }),
    setStorage: api('setStorage', ({ key, data }: { key: string; data: unknown }) => {
      setStorageSync(key, data)
      return {}
    }),
    removeStorage: api('removeStorage', ({ key }: { key: string }) => {
      removeStorageSync(key)
      return {}
    }),
    clearStorage: api('clearStorage', () => {
      clearStorageSync()
      return {}
    }),
    getStorageInfo: api('getStorageInfo', () => getStorageInfoSync()),
  }
}
