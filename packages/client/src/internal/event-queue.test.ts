import { describe, expect, it } from 'vitest';

import { EventQueue } from './event-queue';

interface TItem {
  organizationId: string;
  bytes: number;
  queuedAt: number;
  name: string;
}

const item = (organizationId: string, name: string, bytes = 10, queuedAt = 0): TItem => ({ organizationId, name, bytes, queuedAt });
const names = (items: readonly TItem[]) => items.map((i) => i.name);

describe('EventQueue', () => {
  describe('when items of several organizations are pushed', () => {
    it('keeps one FIFO per organization and counts them all', () => {
      const queue = new EventQueue<TItem>();
      queue.push(item('a', 'a1', 10, 5));
      queue.push(item('b', 'b1'));
      queue.push(item('a', 'a2'));
      expect(queue.size).toBe(3);
      expect(queue.countOf('a')).toBe(2);
      expect(queue.bytesOf('a')).toBe(20);
      expect(queue.oldestQueuedAt('a')).toBe(5);
      expect(queue.organizations().sort()).toEqual(['a', 'b']);
      expect(names(queue.take('a', 10, 1_000))).toEqual(['a1', 'a2']);
      expect(queue.size).toBe(1);
      expect(queue.countOf('a')).toBe(0);
      expect(queue.organizations()).toEqual(['b']);
    });
  });

  describe('when taking a batch', () => {
    it('stops at maxEvents', () => {
      const queue = new EventQueue<TItem>();
      for (let i = 0; i < 5; i++) queue.push(item('a', `a${i}`));
      expect(names(queue.take('a', 2, 1_000))).toEqual(['a0', 'a1']);
      expect(names(queue.take('a', 2, 1_000))).toEqual(['a2', 'a3']);
      expect(queue.bytesOf('a')).toBe(10);
    });

    it('stops before maxBytes would be exceeded', () => {
      const queue = new EventQueue<TItem>();
      queue.push(item('a', 'a0', 40));
      queue.push(item('a', 'a1', 40));
      queue.push(item('a', 'a2', 40));
      expect(names(queue.take('a', 10, 100))).toEqual(['a0', 'a1']);
    });

    it('always takes one item, even one larger than maxBytes', () => {
      const queue = new EventQueue<TItem>();
      queue.push(item('a', 'huge', 500));
      expect(names(queue.take('a', 10, 100))).toEqual(['huge']);
    });

    it('returns nothing for an organization without items', () => {
      expect(new EventQueue<TItem>().take('nobody', 10, 100)).toEqual([]);
    });
  });

  describe('when shifting the oldest item', () => {
    it('picks the first admitted across organizations', () => {
      const queue = new EventQueue<TItem>();
      queue.push(item('b', 'b1'));
      queue.push(item('a', 'a1'));
      queue.push(item('b', 'b2'));
      expect(queue.shiftOldest()?.name).toBe('b1');
      expect(queue.shiftOldest()?.name).toBe('a1');
      expect(queue.shiftOldest()?.name).toBe('b2');
      expect(queue.shiftOldest()).toBeUndefined();
      expect(queue.size).toBe(0);
      expect(queue.bytesOf('b')).toBe(0);
    });
  });

  describe('when drained', () => {
    it('returns every item and is empty afterwards', () => {
      const queue = new EventQueue<TItem>();
      queue.push(item('a', 'a1'));
      queue.push(item('b', 'b1'));
      expect(names(queue.drain()).sort()).toEqual(['a1', 'b1']);
      expect(queue.size).toBe(0);
      expect(queue.organizations()).toEqual([]);
    });
  });
});
