/**
 * A click becomes a tap. WeChat's components know taps, which j-component synthesises only from
 * touch events; a touch screen (or a browser emulating one) still goes through j-component, and
 * its click, which follows the touch, is left alone.
 */
import { exparser } from './exparser'

export function turnClicksIntoTaps(root: HTMLElement): void {
  root.addEventListener(
    'click',
    (event) => {
      if ((event as PointerEvent).pointerType === 'touch') return
      const target = event.target
      if (!(target instanceof Element)) return
      const point = { x: event.pageX, y: event.pageY }
      exparser.Event.dispatchEvent(
        target,
        exparser.Event.create('tap', point, {
          originalEvent: event,
          bubbles: true,
          capturePhase: true,
          composed: true,
          extraFields: {
            touches: [],
            changedTouches: [{ ...point, pageX: point.x, pageY: point.y }],
          },
        }),
      )
    },
    { capture: true },
  )
}
