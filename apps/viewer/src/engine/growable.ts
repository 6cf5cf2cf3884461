/**
 * Growable typed arrays: the columns of the store. Capacity doubles; `array` is the live backing array (read it
 * through `length`, never past it). No per-row objects are ever held.
 */

type TypedArray = Int32Array | Float64Array | Uint8Array | Uint16Array;

abstract class Growable<T extends TypedArray> {
  array: T;
  length = 0;

  constructor(capacity: number) {
    this.array = this.create(Math.max(16, capacity));
  }

  protected abstract create(capacity: number): T;

  /** Makes room for `extra` more values. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.array.length) return;
    let capacity = this.array.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = this.create(capacity);
    next.set(this.array.subarray(0, this.length));
    this.array = next;
  }

  push(value: number): void {
    if (this.length === this.array.length) this.reserve(1);
    this.array[this.length++] = value;
  }

  /** The values so far (a view: valid until the next push). */
  view(): T {
    return this.array.subarray(0, this.length) as T;
  }


  clear(): void {
    this.length = 0;
  }
}

export class GrowInt32 extends Growable<Int32Array> {
  protected create(capacity: number): Int32Array {
    return new Int32Array(capacity);
  }
}

export class GrowFloat64 extends Growable<Float64Array> {
  protected create(capacity: number): Float64Array {
    return new Float64Array(capacity);
  }
}

export class GrowUint8 extends Growable<Uint8Array> {
  protected create(capacity: number): Uint8Array {
    return new Uint8Array(capacity);
  }
}

export class GrowUint16 extends Growable<Uint16Array> {
  protected create(capacity: number): Uint16Array {
    return new Uint16Array(capacity);
  }
}
