/**
 * An EDRM XML v1.2-style metadata export (viewer.md §2.3): the vendor-neutral interchange that keeps typed fields,
 * custodians and tags. Streaming: `header()`, one `row()` per shown event, `footer()`.
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <Root MajorVersion="1" MinorVersion="2" DataInterchangeType="Update" Description="…">
 *   <Batch>
 *     <Documents>
 *       <Document DocID="ACME000001" DocType="File" MimeType="application/json">
 *         <Files><File FileType="Text"><InlineContent>{…canonical JSON…}</InlineContent></File></Files>   (inlineContent only)
 *         <Locations><Location><Custodian>…</Custodian><LocationURI>…log origin…</LocationURI></Location></Locations>
 *         <Tags>
 *           <Tag TagName="#BegBates" TagDataType="Text" TagValue="ACME000001"/>
 *           <Tag TagName="LogIndex" TagDataType="LongInteger" TagValue="1041"/>
 *           …
 *         </Tags>
 *       </Document>
 *     </Documents>
 *     <Relationships/>
 *   </Batch>
 * </Root>
 * ```
 *
 * Status: written from the EDRM XML 1.2 documentation's element list and published samples, **not validated
 * against the XSD** (not available offline). Most production specifications still ask for DAT; treat this as a
 * SHOULD-level extra. Characters XML 1.0 cannot carry (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF) become
 * U+FFFD and are counted in `stats.replacedCharacters`; everything else is exact (attribute TAB/LF/CR as
 * character references).
 */
import type { Sha256 } from '@custody/ledger';
import type { TLoggedEvent } from '@custody/schema';

import { encodeUtf8 } from './chunk-encoder';
import { formatEntityReference, formatMetadataJson, formatTargets, guardRow, hashToBase64, hashToHex } from './event-values';
import type { TEventDatRowContext } from './event-dat-writer';
import { ProductionError } from './production-error';
import { escapeXmlAttribute, escapeXmlText } from './xml-escape';

/** Options of {@link createEdrmXmlWriter}. */
export interface TEdrmXmlWriterOptions {
  /** The custodian (`Location/Custodian`). Required. */
  readonly custodian: string;
  /** The log origin (`Location/LocationURI`). Required. */
  readonly source: string;
  /** `<origin>@<size>` of the bundle's checkpoint (`CheckpointId` tag). Required. */
  readonly checkpointId: string;
  /** The `Root/@Description`. Default is `Custody log production`. */
  readonly description?: string;
  /** Embed each event's canonical JSON as `File[@FileType="Text"]/InlineContent` (needs `context.bytes`). Default is `false`. */
  readonly inlineContent?: boolean;
  /** SHA-256, to compute the `SHA256` tag from `context.bytes` when `context.sha256` is absent. */
  readonly sha256?: Sha256;
}

/** A streaming EDRM XML writer. */
export interface TEdrmXmlWriter {
  /** Rows written. */
  readonly rowCount: number;
  /** Characters replaced by U+FFFD because XML 1.0 cannot represent them. */
  readonly stats: { readonly replacedCharacters: number };
  /** The XML declaration and the opening `Root`, `Batch` and `Documents`. */
  header(): string;
  /** One `Document` element for one shown event. Throws `INVALID_ARGUMENT` for a bad context or a non-event. */
  row(event: TLoggedEvent, context: TEventDatRowContext): string;
  /** Closes `Documents`, writes an empty `Relationships`, closes `Batch` and `Root`. */
  footer(): string;
  /** UTF-8 bytes (no BOM; safe to pass alone). */
  readonly encode: (text: string) => Uint8Array;
}

/**
 * Creates the EDRM XML writer. Pure and streaming. Tag names: `#BegBates`, `#EndBates` (EDRM's reserved names), then
 * `LogIndex` (LongInteger), `EventTimeUtc` and `ReceivedTimeUtc` (DateTime), `EventType`, `EventId`, `Actor`,
 * `ActorName`, `Targets` (multi-value `;`), `IP`, `UserAgent`, `RequestId`, `SessionId`, `Metadata` (canonical JSON),
 * `LeafHash`, `CheckpointId`, `SHA256` (Text). Empty optional values are omitted.
 */
export function createEdrmXmlWriter(options: TEdrmXmlWriterOptions): TEdrmXmlWriter {
  if (typeof options !== 'object' || options === null) throw new ProductionError('INVALID_ARGUMENT', 'EDRM options must be an object');
  for (const name of ['custodian', 'source', 'checkpointId'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new ProductionError('INVALID_ARGUMENT', `${name} is required`, { details: { option: name } });
    }
  }
  const description = options.description ?? 'Custody log production';
  if (typeof description !== 'string') throw new ProductionError('INVALID_ARGUMENT', 'description must be a string');
  const inline = options.inlineContent ?? false;
  const sha256 = options.sha256;
  let replacedCharacters = 0;
  let rowCount = 0;
  const attribute = (value: string) => {
    const escaped = escapeXmlAttribute(value);
    replacedCharacters += escaped.replaced;
    return escaped.text;
  };
  const text = (value: string) => {
    const escaped = escapeXmlText(value);
    replacedCharacters += escaped.replaced;
    return escaped.text;
  };
  const location = `        <Locations><Location><Custodian>${text(options.custodian)}</Custodian><LocationURI>${text(options.source)}</LocationURI></Location></Locations>\n`;
  const checkpointId = attribute(options.checkpointId);
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const tag = (name: string, type: 'Text' | 'LongInteger' | 'DateTime', value: string | undefined) =>
    value === undefined || value === '' ? '' : `          <Tag TagName="${name}" TagDataType="${type}" TagValue="${attribute(value)}"/>\n`;

  return {
    get rowCount() {
      return rowCount;
    },
    get stats() {
      return { replacedCharacters };
    },
    header: () =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<Root MajorVersion="1" MinorVersion="2" DataInterchangeType="Update" Description="${attribute(description)}">\n  <Batch>\n    <Documents>\n`,
    row(event, context) {
      const out = guardRow(rowCount + 1, () => {
        if (typeof context !== 'object' || context === null || typeof context.controlNumber !== 'string' || context.controlNumber === '') {
          throw new ProductionError('INVALID_ARGUMENT', 'row context must be { controlNumber, leafHash, sha256 | bytes }');
        }
        let digest: string;
        if (context.sha256 !== undefined) digest = hashToHex(context.sha256);
        else if (context.bytes instanceof Uint8Array && sha256 !== undefined) digest = hashToHex(sha256(context.bytes));
        else throw new ProductionError('INVALID_ARGUMENT', 'the SHA256 tag needs context.sha256, or context.bytes and the sha256 option');
        let files = '';
        if (inline) {
          if (!(context.bytes instanceof Uint8Array)) throw new ProductionError('INVALID_ARGUMENT', 'inlineContent needs context.bytes');
          let json: string;
          try {
            json = decoder.decode(context.bytes);
          } catch (error) {
            throw new ProductionError('INVALID_ARGUMENT', 'context.bytes is not UTF-8', { cause: error });
          }
          files = `        <Files><File FileType="Text"><InlineContent>${text(json)}</InlineContent></File></Files>\n`;
        }
        const id = attribute(context.controlNumber);
        return (
          `      <Document DocID="${id}" DocType="File" MimeType="application/json">\n` +
          files +
          location +
          '        <Tags>\n' +
          `          <Tag TagName="#BegBates" TagDataType="Text" TagValue="${id}"/>\n` +
          `          <Tag TagName="#EndBates" TagDataType="Text" TagValue="${id}"/>\n` +
          tag('LogIndex', 'LongInteger', String(event.seq)) +
          tag('EventTimeUtc', 'DateTime', event.occurred_at) +
          tag('ReceivedTimeUtc', 'DateTime', event.received_at) +
          tag('EventType', 'Text', event.action) +
          tag('EventId', 'Text', event.id) +
          tag('Actor', 'Text', formatEntityReference(event.actor)) +
          tag('ActorName', 'Text', event.actor.name) +
          tag('Targets', 'Text', formatTargets(event.targets)) +
          tag('IP', 'Text', event.context.location) +
          tag('UserAgent', 'Text', event.context.user_agent) +
          tag('RequestId', 'Text', event.context.request_id) +
          tag('SessionId', 'Text', event.context.session_id) +
          tag('Metadata', 'Text', formatMetadataJson(event.metadata)) +
          tag('LeafHash', 'Text', hashToBase64(context.leafHash)) +
          `          <Tag TagName="CheckpointId" TagDataType="Text" TagValue="${checkpointId}"/>\n` +
          tag('SHA256', 'Text', digest) +
          '        </Tags>\n      </Document>\n'
        );
      });
      rowCount++;
      return out;
    },
    footer: () => '    </Documents>\n    <Relationships/>\n  </Batch>\n</Root>\n',
    encode: encodeUtf8,
  };
}
