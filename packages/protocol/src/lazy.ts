/**
 * A value built on first use. The protocol defines a few hundred zod schemas; building them all
 * at import costs the gateway several MB of resident memory it never needs while idle. Each
 * exported schema is therefore a transparent stand-in: the first property access (`safeParse`,
 * `shape`, being embedded in another schema, `z.toJSONSchema`, …) builds the real schema once,
 * and every access after that is forwarded to it. `instanceof`, `Object.keys`, spreading and
 * `in` behave as on the real value.
 *
 * Not part of the public API: exported for the protocol's own modules.
 */
export function lazy<T extends object>(build: () => T): T {
  let value: T | undefined;
  const real = (): T => {
    value ??= build();
    return value;
  };
  return new Proxy({} as T, {
    get: (_target, key) => {
      const target = real();
      const result = Reflect.get(target, key, target);
      return result;
    },
    set: (_target, key, next) => Reflect.set(real(), key, next),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // the stand-in itself has no own properties: report them configurable (a proxy invariant)
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
