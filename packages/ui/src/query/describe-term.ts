import type { TQueryTerm } from '../data-source';
import type { TTimeZone } from '../common/format';
import { formatTime, timeZoneLabel } from '../common/format';
import { formatTerm } from './format-query';
import { fieldLabel } from './query-fields';

/** A term split for display: what it filters on, how, and the value; `negated` for exclusions. */
export interface TTermDescription {
  readonly field: string;
  readonly operator: string;
  readonly value: string;
  readonly negated: boolean;
  /** One sentence for screen readers and tooltips: `Action starts with user.`, `not IP address in 10.0.0.0/8`. */
  readonly sentence: string;
  /** The term in query syntax. */
  readonly syntax: string;
}

/** Describes a term for chips. Times are shown in `zone`. */
export function describeTerm(term: TQueryTerm, zone: TTimeZone): TTermDescription {
  const syntax = formatTerm(term);
  switch (term.kind) {
    case 'text': {
      const negated = term.negate === true;
      return { field: 'Text', operator: negated ? 'lacks' : 'contains', value: term.value, negated, syntax, sentence: `${negated ? 'text does not contain' : 'text contains'} "${term.value}"` };
    }
    case 'field': {
      const negated = term.negate === true;
      const label = fieldLabel(term.field);
      const operator = term.op === 'prefix' ? 'starts with' : term.op === 'cidr' ? 'in' : '=';
      const value = term.op === 'eq' && term.value === '' ? '(empty)' : term.value;
      return { field: label, operator, value, negated, syntax, sentence: `${negated ? 'not ' : ''}${label} ${operator === '=' ? 'is' : operator} ${value}` };
    }
    case 'time': {
      const zoneText = timeZoneLabel(zone, term.after ?? term.before);
      const parts: string[] = [];
      if (term.after !== undefined) parts.push(`from ${formatTime(term.after, zone, 'second')}`);
      if (term.before !== undefined) parts.push(`before ${formatTime(term.before, zone, 'second')}`);
      const value = `${parts.join(' ')} ${zoneText}`;
      return {
        field: 'Time',
        operator: term.after !== undefined && term.before !== undefined ? 'between' : term.after !== undefined ? '≥' : '<',
        value: [term.after, term.before].filter((t): t is number => t !== undefined).map((t) => formatTime(t, zone, 'second')).join(' – '),
        negated: false,
        syntax,
        sentence: `time ${value}`,
      };
    }
    case 'flag': {
      const negated = term.negate === true;
      return { field: 'Is', operator: '', value: term.flag, negated, syntax, sentence: `${negated ? 'is not' : 'is'} ${term.flag}` };
    }
  }
}
