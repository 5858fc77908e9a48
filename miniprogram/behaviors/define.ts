/**
 * Behavior() with instance fields of its own: state a behavior keeps beside its data because it
 * never reaches the view (functions, subscriptions). Curried so that TypeScript still infers the
 * data, properties and methods from the options, as it does for a plain Behavior().
 */
type DataOption = WechatMiniprogram.Behavior.DataOption
type PropertyOption = WechatMiniprogram.Behavior.PropertyOption
type MethodOption = WechatMiniprogram.Behavior.MethodOption
type BehaviorOption = WechatMiniprogram.Behavior.BehaviorOption

export function behaviorWithFields<TFields extends WechatMiniprogram.IAnyObject>() {
  return <
    TData extends DataOption,
    TProperty extends PropertyOption,
    TMethod extends MethodOption,
    TBehavior extends BehaviorOption,
  >(
    options: WechatMiniprogram.Behavior.Options<TData, TProperty, TMethod, TBehavior, TFields>,
  ) => Behavior<TData, TProperty, TMethod, TBehavior, TFields>(options)
}
