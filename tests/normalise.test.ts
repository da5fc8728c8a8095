import { describe, expect, it } from 'vitest';
import { hasMajorOrdinal, normaliseText, parseAmountCell, rowName, toSimplified, toYuan } from '../src/normalise.js';

describe('parseAmountCell', () => {
  it('reads printed amounts exactly, thousands separators included', () => {
    expect(parseAmountCell('9,474.11')).toEqual({ kind: 'amount', amount: { value: 9474.11, decimals: 2 } });
    expect(parseAmountCell('351904.90')).toEqual({ kind: 'amount', amount: { value: 351904.9, decimals: 2 } });
    expect(parseAmountCell('1,234,567')).toEqual({ kind: 'amount', amount: { value: 1234567, decimals: 0 } });
    expect(parseAmountCell('0.000001')).toEqual({ kind: 'amount', amount: { value: 0.000001, decimals: 6 } });
  });
  it('keeps a printed zero as 0 and a blank as blank', () => {
    expect(parseAmountCell('0.00')).toEqual({ kind: 'amount', amount: { value: 0, decimals: 2 } });
    expect(parseAmountCell('')).toEqual({ kind: 'blank' });
    expect(parseAmountCell('   ')).toEqual({ kind: 'blank' });
  });
  it('tells dashes, negatives and full-width digits apart', () => {
    expect(parseAmountCell('-')).toEqual({ kind: 'dash' });
    expect(parseAmountCell('—')).toEqual({ kind: 'dash' });
    expect(parseAmountCell('-12.50')).toEqual({ kind: 'amount', amount: { value: -12.5, decimals: 2 } });
    expect(parseAmountCell('(12.50)')).toEqual({ kind: 'amount', amount: { value: -12.5, decimals: 2 } });
    expect(parseAmountCell('１，２３４．５６')).toEqual({ kind: 'amount', amount: { value: 1234.56, decimals: 2 } });
  });
  it('refuses malformed numbers and text', () => {
    expect(parseAmountCell('12,34.5').kind).toBe('text');
    expect(parseAmountCell('合计').kind).toBe('text');
    expect(parseAmountCell('1.2.3').kind).toBe('text');
  });
});

describe('toYuan', () => {
  it('converts exactly, without floating-point drift', () => {
    expect(toYuan(9474.11, '万元')).toBe('94741100.00');
    expect(toYuan(0.01, '万元')).toBe('100.00');
    expect(toYuan(1.000001, '万元')).toBe('10000.01');
    expect(toYuan(3259560, '元')).toBe('3259560.00');
    expect(toYuan(-2.5, '万元')).toBe('-25000.00');
    expect(toYuan(1, '件')).toBeNull();
  });
});

describe('text normalisation', () => {
  it('converts Traditional (OpenCC, Taiwan and Hong Kong forms) to Simplified', () => {
    expect(toSimplified('一般公共預算撥款支出預算表')).toBe('一般公共预算拨款支出预算表');
    expect(toSimplified('機關事業單位基本養老保險繳費')).toBe('机关事业单位基本养老保险缴费');
    expect(toSimplified('羣眾')).toBe('群众');
  });
  it('removes spaces inside CJK words and makes digits half-width', () => {
    expect(normaliseText('合 计')).toBe('合计');
    expect(normaliseText('政府性基金 预算拨款收 入')).toBe('政府性基金预算拨款收入');
    expect(normaliseText('２０２３ 年度')).toBe('2023 年度');
    expect(normaliseText('单位：万元')).toBe('单位：万元');
  });
  it('strips ordinal prefixes from row names only', () => {
    expect(rowName('一、一般公共预算拨款收入')).toBe('一般公共预算拨款收入');
    expect(rowName('其中：（1）公务用车购置费')).toBe('公务用车购置费');
    expect(rowName('1、因公出国（境）费用')).toBe('因公出国（境）费用');
    expect(rowName('资金总额:')).toBe('资金总额');
    expect(rowName('2080505')).toBe('2080505');
    expect(hasMajorOrdinal('二十八、抗疫特别国债安排的支出')).toBe(true);
    expect(hasMajorOrdinal('本年收入合计')).toBe(false);
  });
});
