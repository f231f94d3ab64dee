import fc from 'fast-check';
import { BigintMinHeap } from './min-heap.js';

describe('BigintMinHeap', () => {
  it('pops values in ascending order', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 1n << 70n })), (values) => {
        const heap = new BigintMinHeap();
        for (const value of values) heap.push(value);
        const popped: bigint[] = [];
        for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
        expect(popped).toEqual([...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
    );
  });
});
