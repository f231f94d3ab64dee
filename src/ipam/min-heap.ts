// A binary min-heap of bigints: the released addresses below a range's cursor, so that the lowest
// free address is found in O(log n) without scanning the range.

export class BigintMinHeap {
  private readonly items: bigint[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): bigint | undefined {
    return this.items[0];
  }

  push(value: bigint): void {
    const items = this.items;
    items.push(value);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentValue = items[parent] as bigint;
      if (parentValue <= value) break;
      items[index] = parentValue;
      index = parent;
    }
    items[index] = value;
  }

  pop(): bigint | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const leftValue = items[left] as bigint;
      const rightValue = items[right];
      const [child, childValue] =
        rightValue !== undefined && rightValue < leftValue ? [right, rightValue] : [left, leftValue];
      if (last <= childValue) break;
      items[index] = childValue;
      index = child;
    }
    items[index] = last;
    return top;
  }
}
