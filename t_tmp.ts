import { gregorianToHijri, hijriToGregorian } from './src/validate/date.ts';
import { makeSaudiId } from './src/validate/national-id.ts';
console.log(gregorianToHijri(new Date(Date.UTC(1990,9,15,12))), hijriToGregorian(1410,3,15)?.toISOString(), makeSaudiId('101234567'), makeSaudiId('201234567'), makeSaudiId('123456789'));
for (let m=1;m<=12;m++) console.log(1445, m, hijriToGregorian(1445,m,30)?.toISOString() ?? 'null');
