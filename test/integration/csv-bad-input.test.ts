import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsv, readAll, tempFolder, writeFixture } from '../fixtures/csv/csv-test-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempFolder('csv-bad-input'));
});
afterAll(() => cleanup());

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('malformed records are rejected one by one, and every good row still loads', () => {
  // One file with every kind of bad record between good ones. Line numbers are 1-based with the header on line 1.
  const content = bytes(
    'id,name,email\n',
    '1,Alice,a@x.com\n', // line 2
    '2,"Unclosed Corp,b@x.com\n', // line 3: the quote never closes
    '3,Carol,c@x.com\n', // line 4
    '4,Short\n', // line 5: one field short
    '5,Dan,d@x.com,extra\n', // line 6: one field too many
    '6,Nul',
    [0x00],
    'Name,n@x.com\n', // line 7: NUL byte
    '7,Zo',
    [0xe9],
    ',z@x.com\n', // line 8: Latin-1 é in UTF-8 text
    '8,"Multi\nline",m@x.com\n', // lines 9-10
    '9,Zoë Ångström Þór,zoe@x.com\n', // line 11
    '10,"Quote ""inside""",q@x.com\n', // line 12
    '11,José Müller Čapek,j@x.com\n', // line 13
  );
  const invalidOffset = content.indexOf(0xe9);
  const nulOffset = content.indexOf(0x00);

  it('rejects each bad record with file, line, code and raw text, and loads the rest', async () => {
    const file = await writeFixture(dir, 'mixed.csv', content);
    const conn = await openCsv(file);
    const report = await conn.describe('mixed');
    expect(report.encoding).toBe('utf-8');
    const got = await readAll(conn, 'mixed');
    expect(got.rows.map((r) => r[0])).toEqual(['1', '3', '8', '9', '10', '11']);
    expect(got.lines).toEqual([2, 4, 9, 11, 12, 13]);
    expect(got.rows[2]).toEqual(['8', 'Multi\nline', 'm@x.com']);
    expect(got.rows[3][1]).toBe('Zoë Ångström Þór');
    expect(got.rows[4][1]).toBe('Quote "inside"');
    const rejects = got.rejects.map((r) => ({ code: r.code, line: r.line, raw: r.raw, file: r.file }));
    expect(rejects).toEqual([
      { code: 'CRM_R4001', line: 3, raw: '2,"Unclosed Corp,b@x.com', file },
      { code: 'CRM_R4001', line: 5, raw: '4,Short', file },
      { code: 'CRM_R4001', line: 6, raw: '5,Dan,d@x.com,extra', file },
      { code: 'CRM_R4002', line: 7, raw: '6,Nul\u0000Name,n@x.com', file },
      { code: 'CRM_R4002', line: 8, raw: '7,Zo\uFFFD,z@x.com', file },
    ]);
    expect(got.rejects[1].message).toContain('expected 3 fields, found 2');
    expect(got.rejects[3].message).toContain(`byte offset ${nulOffset}`);
    expect(got.rejects[4].message).toContain(`0xE9 at byte offset ${invalidOffset}`);
    expect(got.rows.length + got.rejects.length).toBe(await conn.count('mixed'));
    expect(await conn.count('mixed')).toBe(11);
  });

  it('recovers from a quote that is never closed up to the end of the file', async () => {
    const file = await writeFixture(dir, 'tail.csv', 'id,name\n1,a\n2,"open\n3,c\n4,d\n');
    const got = await readAll(await openCsv(file), 'tail');
    expect(got.rows).toEqual([
      ['1', 'a'],
      ['3', 'c'],
      ['4', 'd'],
    ]);
    expect(got.rejects.map((r) => [r.code, r.line, r.raw])).toEqual([['CRM_R4001', 3, '2,"open']]);
  });

  it('recovers when the broken quote shows only several read chunks later', async () => {
    const lines = ['id,name'];
    for (let i = 1; i <= 6000; i++)
      lines.push(i === 3 ? '3,"broken' : i === 5000 ? '5000,"late"x' : i === 5900 ? '5900,"open' : `${i},row ${i} padding text`);
    const file = await writeFixture(dir, 'late.csv', `${lines.join('\n')}\n`);
    const got = await readAll(await openCsv(file), 'late');
    expect(got.rejects.map((r) => [r.line, r.raw])).toEqual([
      [4, '3,"broken'],
      [5001, '5000,"late"x'],
      [5901, '5900,"open'],
    ]);
    expect(got.rows.length).toBe(5997);
    expect(got.rows.at(-1)).toEqual(['6000', 'row 6000 padding text']);
    expect(got.lines.at(-1)).toBe(6001);
  });

  it('rejects a quote inside an unquoted field and text after a closing quote', async () => {
    const file = await writeFixture(dir, 'quotes.csv', 'id,name\n1,ab"c\n2,"x"y\n3,ok\n');
    const got = await readAll(await openCsv(file), 'quotes');
    expect(got.rows).toEqual([['3', 'ok']]);
    expect(got.rejects.map((r) => [r.line, r.raw])).toEqual([
      [2, '1,ab"c'],
      [3, '2,"x"y'],
    ]);
  });

  it('rejects an invalid UTF-8 byte in a file declared UTF-8, and keeps a genuine U+FFFD', async () => {
    const file = await writeFixture(dir, 'declared.csv', bytes('id,name\n1,caf', [0xe9], '\n2,ok \uFFFD kept\n'));
    const conn = await openCsv(file, { encoding: 'utf-8' });
    expect((await conn.describe('declared')).encodingDetected).toBe(false);
    const got = await readAll(conn, 'declared');
    expect(got.rows).toEqual([['2', 'ok \uFFFD kept']]);
    expect(got.rejects.map((r) => [r.code, r.line])).toEqual([['CRM_R4002', 2]]);
  });

  it('keeps multi-byte characters that straddle read chunks, and finds a bad byte past the first chunk', async () => {
    const lines = ['id,text'];
    for (let i = 1; i <= 20000; i++) lines.push(`${i},€uro ✓ 😀 ${i}`);
    const good = Buffer.from(`${lines.join('\n')}\n`);
    const file = await writeFixture(dir, 'chunks.csv', bytes(good.toString(), '20001,bad', [0xff], '\n20002,fine\n'));
    const got = await readAll(await openCsv(file), 'chunks');
    expect(got.rows.length).toBe(20001);
    expect(got.rows[9999]).toEqual(['10000', '€uro ✓ 😀 10000']);
    expect(got.rejects.map((r) => [r.code, r.line, r.message])).toEqual([
      ['CRM_R4002', 20002, `invalid UTF-8 byte 0xFF at byte offset ${good.length + 9}`],
    ]);
  });
});

describe('typed reads', () => {
  it('rejects a cell that does not parse as its type with CRM_R4003 naming the column', async () => {
    const file = await writeFixture(dir, 'typed.csv', 'id,amount,born\n1,12.50,2001-02-03\n2,abc,2001-02-03\n3,7,2001-02-30\n4,,\n');
    const got = await readAll(await openCsv(file), 'typed', {
      types: { id: { kind: 'bigint' }, amount: { kind: 'decimal' }, born: { kind: 'date' } },
      columns: ['born', 'id', 'amount'],
    });
    expect(got.columns).toEqual(['born', 'id', 'amount']);
    expect(got.rows).toEqual([
      ['2001-02-03', 1n, '12.50'],
      [null, 4n, null],
    ]);
    expect(got.rejects.map((r) => [r.code, r.line, r.column, r.raw])).toEqual([
      ['CRM_R4003', 3, 'amount', '2,abc,2001-02-03'],
      ['CRM_R4003', 4, 'born', '3,7,2001-02-30'],
    ]);
  });

  it('skips records (rows and rejects alike) to resume, and names an unknown column', async () => {
    const file = await writeFixture(dir, 'resume.csv', 'id,v\n1,a\n2\n3,c\n4,d\n');
    const conn = await openCsv(file);
    const got = await readAll(conn, 'resume', { skip: 2 });
    expect(got.rows).toEqual([
      ['3', 'c'],
      ['4', 'd'],
    ]);
    expect(got.rejects).toEqual([]);
    await expect(readAll(conn, 'resume', { columns: ['nope'] })).rejects.toMatchObject({ code: 'CRM_S3002' });
  });
});

describe('file structure quirks', () => {
  it('strips a UTF-8 BOM from the header', async () => {
    const file = await writeFixture(dir, 'bom.csv', '\uFEFFid,name\n1,Ana\n');
    const conn = await openCsv(file);
    const schema = await conn.introspect({ tables: ['bom'] });
    expect(schema.tables[0].columns.map((c) => c.name)).toEqual(['id', 'name']);
    expect(schema.tables[0].columns[0]).toMatchObject({ type: { kind: 'text' }, nativeType: 'csv' });
    expect((await readAll(conn, 'bom')).rows).toEqual([['1', 'Ana']]);
  });

  it('detects and reports the delimiter; a declared one is used as is', async () => {
    const file = await writeFixture(dir, 'semi.csv', 'id;company;amount\n1;"Acme; Inc";12,50\n2;Bolt, Ltd;7,00\n');
    const conn = await openCsv(file);
    expect(await conn.describe('semi')).toMatchObject({ delimiter: ';', delimiterDetected: true });
    expect((await readAll(conn, 'semi')).rows).toEqual([
      ['1', 'Acme; Inc', '12,50'],
      ['2', 'Bolt, Ltd', '7,00'],
    ]);
    const folder = await openCsv(dir);
    for (const [name, text, expected] of [
      ['tabs.tsv', 'id\tname\n1\tA, B\n', '\t'],
      ['pipes.txt', 'id|name\n1|A; B\n', '|'],
    ] as const) {
      await writeFixture(dir, name, text);
      expect((await folder.describe(name.split('.')[0])).delimiter).toBe(expected);
    }
    const declared = await openCsv(file, { delimiter: ',' });
    expect(await declared.describe('semi')).toMatchObject({ delimiter: ',', delimiterDetected: false });
  });

  it('reads CRLF, LF and CR-only line endings alike, with source lines', async () => {
    const body = ['id,note', '1,plain', '2,"two\nlines"', '3,last'];
    for (const [name, eol] of [
      ['crlf', '\r\n'],
      ['lf', '\n'],
      ['cr', '\r'],
    ] as const) {
      await writeFixture(dir, `${name}.csv`, body.join(eol) + eol);
      const got = await readAll(await openCsv(dir), name);
      expect(got.rows, name).toEqual([
        ['1', 'plain'],
        ['2', 'two\nlines'],
        ['3', 'last'],
      ]);
      expect(got.lines, name).toEqual([2, 3, 5]);
    }
  });

  it('reads a last record without a line break and skips blank lines', async () => {
    const file = await writeFixture(dir, 'blank.csv', 'id,name\n1,a\n\n2,b\r\n\r\n3,c');
    const got = await readAll(await openCsv(file), 'blank');
    expect(got.rows).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    expect(got.lines).toEqual([2, 4, 6]);
  });

  it('decodes a windows-1252 file (chardet says ISO-8859-1) without mojibake', async () => {
    const text = 'id;name;price\n1;José;10 €\n2;Müller;“quoted” 5\n3;François Ñúñez;0\n';
    const file = await writeFixture(dir, 'latin.csv', iconv.encode(text, 'windows-1252'));
    const conn = await openCsv(file);
    expect(await conn.describe('latin')).toMatchObject({ encoding: 'windows-1252', encodingDetected: true, delimiter: ';' });
    const got = await readAll(conn, 'latin');
    expect(got.rows.map((r) => r[1])).toEqual(['José', 'Müller', 'François Ñúñez']);
    expect(got.rows.map((r) => r[2])).toEqual(['10 €', '“quoted” 5', '0']);
    expect(got.rejects).toEqual([]);
  });

  it('rejects a byte that windows-1252 leaves undefined, on its line', async () => {
    const head = iconv.encode('id;name\n1;Café\n2;', 'windows-1252');
    const file = await writeFixture(
      dir,
      'undefined-byte.csv',
      Buffer.concat([head, Buffer.from([0x81]), iconv.encode('x\n3;Brontë\n', 'windows-1252')]),
    );
    const got = await readAll(await openCsv(file, { encoding: 'windows-1252' }), 'undefined-byte');
    expect(got.rows).toEqual([
      ['1', 'Café'],
      ['3', 'Brontë'],
    ]);
    expect(got.rejects.map((r) => [r.code, r.line, r.message])).toEqual([['CRM_R4002', 3, 'bytes that are not valid windows-1252']]);
  });

  it('reads a UTF-16LE file with a BOM', async () => {
    const file = await writeFixture(
      dir,
      'wide.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('id,name\n1,José 😀\n2,""\n', 'utf-16le')]),
    );
    const conn = await openCsv(file);
    expect((await conn.describe('wide')).encoding).toBe('utf-16le');
    const got = await readAll(conn, 'wide');
    expect(got.columns).toEqual(['id', 'name']);
    expect(got.rows).toEqual([
      ['1', 'José 😀'],
      ['2', ''],
    ]);
  });

  it('names columns c1..cN without a header', async () => {
    const file = await writeFixture(dir, 'nohead.csv', '1,a\n2,b\n');
    const conn = await openCsv(file, { header: false });
    const got = await readAll(conn, 'nohead');
    expect(got.columns).toEqual(['c1', 'c2']);
    expect(got.lines).toEqual([1, 2]);
  });
});

describe('NULL is not the empty string', () => {
  it('reads an unquoted empty cell as NULL and a quoted "" as the empty string', async () => {
    const file = await writeFixture(dir, 'empties.csv', 'a,b,c,d\n,"",x,\n"",,"",""\n"say ""hi""",,"a,b",\n');
    const got = await readAll(await openCsv(file), 'empties');
    expect(got.rows).toEqual([
      [null, '', 'x', null],
      ['', null, '', ''],
      ['say "hi"', null, 'a,b', null],
    ]);
  });

  it('reads unquoted null markers as NULL and quoted ones as text', async () => {
    const file = await writeFixture(dir, 'markers.csv', 'a,b,c\nNULL,\\N,"NULL"\nnull,x,""\n');
    const got = await readAll(await openCsv(file, { nullMarkers: ['NULL', '\\N'] }), 'markers');
    expect(got.rows).toEqual([
      [null, null, 'NULL'],
      ['null', 'x', ''],
    ]);
    const plain = await readAll(await openCsv(file), 'markers');
    expect(plain.rows[0]).toEqual(['NULL', '\\N', 'NULL']);
  });

  it('keeps NULL vs "" with trim, a custom quote and a backslash escape', async () => {
    const file = await writeFixture(dir, 'custom.csv', "a|b|c\n  'x\\'y'  |  '' | \n'q'|  |'\\\\'\n");
    const got = await readAll(await openCsv(file, { quote: "'", escape: '\\', trim: true }), 'custom');
    expect(got.rows).toEqual([
      ["x'y", '', null],
      ['q', null, '\\'],
    ]);
  });
});

describe('invalid options', () => {
  it('fails with CRM_C1003 naming the option', async () => {
    await expect(openCsv(dir, { encoding: 'klingon-8' })).rejects.toMatchObject({ code: 'CRM_C1003' });
    await expect(openCsv(dir, { header: 'yes' })).rejects.toMatchObject({ code: 'CRM_C1003', message: expect.stringContaining('header') });
  });
});
