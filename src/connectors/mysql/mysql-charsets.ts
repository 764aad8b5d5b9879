import iconv from 'iconv-lite';
import { CrmError } from '../../core/errors/index.js';
import { undecodableBytes } from '../shared/undecodable-bytes.js';
import { nativeName } from './mysql-sql.js';

/**
 * Column character sets whose text crmbridge decodes itself.
 *
 * The connection runs in utf8mb4, so the server converts every text column to UTF-8 on the way
 * out and writes `?` for each character its column charset cannot convert (an `ascii` column
 * holding 0xC3, bytes that are not GBK in a `gbk` column): the value arrives altered and nothing
 * says so. Columns in such a charset are therefore read as their raw bytes and decoded here;
 * bytes that do not decode exactly reject their row (CRM_R4002) instead of becoming `?`.
 *
 * Left to the server: the UTF-8 charsets (the server checks UTF-8 on every write, so their bytes
 * are valid and pass unconverted) and latin1, whose conversion is total and exact (MySQL's
 * latin1 is cp1252 with its five undefined bytes kept as U+0081, U+008D, U+008F, U+0090, U+009D).
 */
const SERVER_EXACT = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'latin1', 'binary']);

/** MySQL charset → iconv-lite encoding. A charset missing here (dec8, hp8, swe7, …) is left to the server. */
const ICONV_NAMES: Readonly<Record<string, string>> = {
  ascii: 'ascii',
  armscii8: 'armscii8',
  big5: 'big5',
  cp1250: 'cp1250',
  cp1251: 'cp1251',
  cp1256: 'cp1256',
  cp1257: 'cp1257',
  cp850: 'cp850',
  cp852: 'cp852',
  cp866: 'cp866',
  cp932: 'cp932',
  euckr: 'euc-kr',
  gb18030: 'gb18030',
  gb2312: 'gb2312',
  gbk: 'gbk',
  greek: 'iso-8859-7',
  hebrew: 'iso-8859-8',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  latin2: 'iso-8859-2',
  latin5: 'iso-8859-9',
  latin7: 'iso-8859-13',
  macce: 'maccenteuro',
  macroman: 'macroman',
  sjis: 'shift_jis',
  tis620: 'tis620',
  ucs2: 'utf-16be',
  ujis: 'euc-jp',
  utf16: 'utf-16be',
  utf16le: 'utf-16le',
  utf32: 'utf-32be',
};

/** Bytes that are not text in their column's charset (read reject CRM_R4002). */
export class InvalidEncoding extends Error {}

/**
 * The encodings text columns are decoded in by crmbridge: the column's own charset where the
 * server's conversion could replace characters (see above), or the encoding the source options
 * declare for a column whose bytes are not in its declared charset (`charsets`, keyed
 * `table.column`: UTF-8 bytes in a latin1 column, Windows-1252 in an ascii one).
 */
export class ColumnEncodings {
  private readonly declared: ReadonlyMap<string, string>;

  constructor(options: Readonly<Record<string, unknown>> | undefined) {
    const raw = (options?.charsets ?? {}) as Readonly<Record<string, unknown>>;
    this.declared = new Map(
      Object.entries(raw).map(([name, encoding]) => {
        if (typeof encoding !== 'string' || !iconv.encodingExists(encoding)) {
          throw new CrmError(
            'CRM_C1003',
            `charsets.${name} is ${JSON.stringify(encoding)}, not an encoding crmbridge knows (e.g. windows-1252, utf8, gbk)`,
            {
              location: { connector: 'mysql' },
            },
          );
        }
        return [columnKey(name.slice(0, name.lastIndexOf('.')), name.slice(name.lastIndexOf('.') + 1)), encoding];
      }),
    );
  }

  /** The encoding crmbridge decodes this column's bytes in, or undefined when the server's conversion is used. */
  of(table: string, column: string, charset: string | null | undefined): string | undefined {
    const declared = this.declared.get(columnKey(table, column));
    if (declared) return declared;
    return charset && !SERVER_EXACT.has(charset) ? ICONV_NAMES[charset] : undefined;
  }
}

const columnKey = (table: string, column: string) => `${nativeName(table)}.${nativeName(column)}`;

/**
 * The text the bytes hold in `encoding`, exactly: decoded, then encoded back and compared, so a
 * byte sequence with no character (decoded as U+FFFD or `?`) is an `InvalidEncoding` naming the
 * first such bytes and their offset.
 */
export function decodeCharset(bytes: Uint8Array, encoding: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = iconv.decode(buffer, encoding, { stripBOM: false });
  if (iconv.encode(text, encoding, { addBOM: false }).equals(buffer)) return text;
  const where = undecodableBytes(buffer, text, (char) => iconv.encode(char, encoding, { addBOM: false }));
  throw new InvalidEncoding(`${where} not valid ${encoding} text`);
}
