import { compareVersion, detectFeatures } from '../../miniprogram/auth/features'
import { wxPlatform } from '../../miniprogram/auth/platform'
import { FakeWx } from '../support/fake-wx'

function featuresAt(sdkVersion: string) {
  new FakeWx({ sdkVersion }).install()
  return detectFeatures(wxPlatform())
}

it('compares versions numerically, part by part', () => {
  expect(compareVersion('2.9.0', '2.10.0')).toBe(-1)
  expect(compareVersion('2.21.2', '2.21.2')).toBe(0)
  expect(compareVersion('3.0', '2.33.1')).toBe(1)
  expect(compareVersion('2.33', '2.33.0')).toBe(0)
})

it.each([
  ['userInfoButton', '1.2.0', '1.3.0'],
  ['profileFillIn', '2.21.1', '2.21.2'],
  ['realtimePhone', '2.24.3', '2.24.4'],
  ['privacy', '2.32.2', '2.32.3'],
  ['phoneWithPrivacy', '2.33.0', '2.33.1'],
] as const)('%s: off at %s, on at %s', (feature, below, at) => {
  expect(featuresAt(below)[feature]).toBe(false)
  expect(featuresAt(at)[feature]).toBe(true)
})

it('decides the real-time button by version: wx.canIUse is reported to deny it where it works', () => {
  new FakeWx({ sdkVersion: '3.4.0' }).install()
  expect(wx.canIUse('button.open-type.getRealtimePhoneNumber')).toBe(false)
  expect(detectFeatures(wxPlatform()).realtimePhone).toBe(true)
})

it('reads the version from getSystemInfoSync where getAppBaseInfo does not exist yet', () => {
  new FakeWx({ sdkVersion: '2.19.0' }).install()
  expect(wxPlatform().sdkVersion()).toBe('2.19.0')
})
