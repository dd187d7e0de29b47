// A binary min-heap: push, pop and re-sorting one changed item cost O(log n) comparisons. Items may
// be told where they sit (`moved`), so that one whose key changed can be re-sorted in place.
export class Heap<T> {
  private readonly items: T[] = [];
  /** Comparisons made so far (tests check the cost with it). */
  comparisons = 0;

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly moved: (item: T, index: number) => void = () => {},
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.moved(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    return this.items.length === 0 ? undefined : this.removeAt(0);
  }

  /** Take out the item at `index` (as `moved` reported it). */
  removeAt(index: number): T {
    const items = this.items;
    const item = items[index]!;
    const last = items.pop()!;
    if (index < items.length) {
      items[index] = last;
      this.moved(last, index);
      this.update(index);
    }
    this.moved(item, -1);
    return item;
  }

  /** The item at `index` changed its key: move it up or down to where it now belongs. */
  update(index: number): void {
    if (!this.up(index)) this.down(index);
  }

  /** Every item, in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  private lessAt(i: number, j: number): boolean {
    this.comparisons++;
    return this.less(this.items[i]!, this.items[j]!);
  }

  /** Returns whether the item moved. */
  private up(index: number): boolean {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lessAt(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== index;
  }

  private down(index: number): void {
    const n = this.items.length;
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.lessAt(l, min)) min = l;
      if (r < n && this.lessAt(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.moved(b, i);
    this.moved(a, j);
  }
}
