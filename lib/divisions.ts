// Administrative divisions: 萧山区 (330109) and its towns and subdistricts (镇街), and the other
// county-level divisions of Zhejiang (the 13 of Hangzhou, 90 in the province) for larger demo data.
// Towns of districts other than 萧山 are not the real list: they are plausible codes and names derived
// deterministically from the division code, so that the generator and the subgraphs agree on them
// without a lookup table.

export const XIAOSHAN = '330109';

export const TOWNS: Readonly<Record<string, string>> = {
  '330109001': '城厢街道',
  '330109002': '北干街道',
  '330109003': '蜀山街道',
  '330109004': '新塘街道',
  '330109005': '靖江街道',
  '330109006': '南阳街道',
  '330109012': '闻堰街道',
  '330109013': '宁围街道',
  '330109014': '新街街道',
  '330109015': '盈丰街道',
  '330109100': '楼塔镇',
  '330109101': '河上镇',
  '330109102': '戴村镇',
  '330109103': '浦阳镇',
  '330109104': '进化镇',
  '330109105': '临浦镇',
  '330109106': '义桥镇',
  '330109107': '所前镇',
  '330109108': '衙前镇',
  '330109113': '瓜沥镇',
};

export interface District {
  /** 6-digit division code. */
  code: string;
  /** Full name: 萧山区, 桐庐县, 义乌市. */
  name: string;
  /** Prefecture-level city: 杭州, 宁波, ... */
  city: string;
  /** Approximate resident population in ten thousands (2020 census order of magnitude); only used to size demo data. */
  population: number;
}

// [code, name, population (10k)] per prefecture-level city; codes after the 2021 Hangzhou adjustment.
const CITIES: readonly (readonly [string, readonly (readonly [string, string, number])[]])[] = [
  ['杭州', [
    ['330102', '上城区', 132], ['330105', '拱墅区', 118], ['330106', '西湖区', 115], ['330108', '滨江区', 50],
    ['330109', '萧山区', 201], ['330110', '余杭区', 126], ['330111', '富阳区', 83], ['330112', '临安区', 64],
    ['330113', '临平区', 118], ['330114', '钱塘区', 77], ['330122', '桐庐县', 45], ['330127', '淳安县', 33],
    ['330182', '建德市', 44],
  ]],
  ['宁波', [
    ['330203', '海曙区', 107], ['330205', '江北区', 49], ['330206', '北仑区', 82], ['330211', '镇海区', 51],
    ['330212', '鄞州区', 161], ['330213', '奉化区', 58], ['330225', '象山县', 57], ['330226', '宁海县', 70],
    ['330281', '余姚市', 125], ['330282', '慈溪市', 183],
  ]],
  ['温州', [
    ['330302', '鹿城区', 125], ['330303', '龙湾区', 75], ['330304', '瓯海区', 96], ['330305', '洞头区', 10],
    ['330324', '永嘉县', 87], ['330326', '平阳县', 86], ['330327', '苍南县', 84], ['330328', '文成县', 29],
    ['330329', '泰顺县', 27], ['330381', '瑞安市', 152], ['330382', '乐清市', 145], ['330383', '龙港市', 46],
  ]],
  ['嘉兴', [
    ['330402', '南湖区', 62], ['330411', '秀洲区', 69], ['330421', '嘉善县', 65], ['330424', '海盐县', 45],
    ['330481', '海宁市', 108], ['330482', '平湖市', 68], ['330483', '桐乡市', 102],
  ]],
  ['湖州', [
    ['330502', '吴兴区', 88], ['330503', '南浔区', 54], ['330521', '德清县', 55], ['330522', '长兴县', 67],
    ['330523', '安吉县', 59],
  ]],
  ['绍兴', [
    ['330602', '越城区', 99], ['330603', '柯桥区', 110], ['330604', '上虞区', 78], ['330624', '新昌县', 43],
    ['330681', '诸暨市', 122], ['330683', '嵊州市', 68],
  ]],
  ['金华', [
    ['330702', '婺城区', 101], ['330703', '金东区', 48], ['330723', '武义县', 46], ['330726', '浦江县', 46],
    ['330727', '磐安县', 18], ['330781', '兰溪市', 58], ['330782', '义乌市', 186], ['330783', '东阳市', 109],
    ['330784', '永康市', 96],
  ]],
  ['衢州', [
    ['330802', '柯城区', 51], ['330803', '衢江区', 36], ['330822', '常山县', 26], ['330824', '开化县', 25],
    ['330825', '龙游县', 36], ['330881', '江山市', 49],
  ]],
  ['舟山', [
    ['330902', '定海区', 51], ['330903', '普陀区', 38], ['330921', '岱山县', 20], ['330922', '嵊泗县', 7],
  ]],
  ['台州', [
    ['331002', '椒江区', 64], ['331003', '黄岩区', 65], ['331004', '路桥区', 60], ['331022', '三门县', 34],
    ['331023', '天台县', 43], ['331024', '仙居县', 42], ['331081', '温岭市', 141], ['331082', '临海市', 111],
    ['331083', '玉环市', 64],
  ]],
  ['丽水', [
    ['331102', '莲都区', 57], ['331121', '青田县', 39], ['331122', '缙云县', 37], ['331123', '遂昌县', 19],
    ['331124', '松阳县', 21], ['331125', '云和县', 11], ['331126', '庆元县', 14], ['331127', '景宁畲族自治县', 11],
    ['331181', '龙泉市', 25],
  ]],
];

/** The 90 county-level divisions of Zhejiang, in code order. */
export const ZHEJIANG_DISTRICTS: readonly District[] = CITIES.flatMap(([city, list]) =>
  list.map(([code, name, population]) => ({ code, name, city, population })),
);
/** The 13 county-level divisions of Hangzhou. */
export const HANGZHOU_DISTRICTS: readonly District[] = ZHEJIANG_DISTRICTS.filter((d) => d.code.startsWith('3301'));

const BY_CODE = new Map(ZHEJIANG_DISTRICTS.map((d) => [d.code, d]));

export function district(code: string): District | null {
  return BY_CODE.get(code) ?? null;
}

/** The name without its suffix: 萧山区 → 萧山, 景宁畲族自治县 → 景宁. */
export function shortDistrictName(d: District): string {
  return d.name.replace(/(畲族自治县|区|县|市)$/, '');
}

// ---- generated towns of the other districts ----------------------------------------------------

const FIRST = '东西南北新长白青石金桥湖山溪塘河安平永大上下高龙凤马杨柳花桃梅竹松横仁和义江洋浦古双三五太天兴丰富宝云黄赤鹤鹿虎章沈陈王周徐钱孙梁潘雁枫桑荷莲芦岩峰岭泉潭洪清瑞泰顺康乐嘉鸣凰';
const SECOND = '溪桥山塘埠湖浦口港岭坞头门关坑阳林田源里庄店堰渡墩洋江河亭岙屿园泉岩峰宅市滨城川宁安丰兴和平';
const URBAN = ['城东', '城西', '城南', '城北', '城中'];

/** mulberry32: a tiny seeded PRNG, so that lib/ does not depend on the seed scripts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const townCache = new Map<string, Readonly<Record<string, string>>>();

/**
 * Towns and subdistricts of a district, code → name. 萧山 has its real list; the others get plausible
 * ones: subdistricts 001.., towns 100.., townships (乡) 200.. for counties, more subdistricts in urban
 * districts, derived from the code alone.
 */
export function townsOf(districtCode: string): Readonly<Record<string, string>> {
  if (districtCode === XIAOSHAN) return TOWNS;
  const cached = townCache.get(districtCode);
  if (cached) return cached;
  const d = BY_CODE.get(districtCode);
  const out: Record<string, string> = {};
  if (d) {
    const r = prng(Number(districtCode) * 2654435761);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const kind = d.name.endsWith('区') ? 'district' : d.name.endsWith('市') ? 'city' : 'county';
    const [subdistricts, towns, townships] =
      kind === 'district' ? [int(6, 14), int(2, 10), 0] : kind === 'city' ? [int(4, 9), int(10, 18), int(0, 3)] : [int(2, 5), int(7, 12), int(3, 9)];
    const short = shortDistrictName(d);
    const used = new Set<string>([short]);
    const place = (): string => {
      for (;;) {
        const a = FIRST[Math.floor(r() * FIRST.length)]!;
        const b = SECOND[Math.floor(r() * SECOND.length)]!;
        const name = a + b;
        if (a !== b && !used.has(name)) {
          used.add(name);
          return name;
        }
      }
    };
    const urban = kind === 'district' ? URBAN.slice(0, int(0, 3)) : [];
    for (let i = 0; i < subdistricts; i++) {
      const name = i < urban.length ? urban[i]! : place();
      used.add(name);
      out[`${districtCode}${String(i + 1).padStart(3, '0')}`] = `${name}街道`;
    }
    for (let i = 0; i < towns; i++) out[`${districtCode}${100 + i}`] = `${place()}镇`;
    for (let i = 0; i < townships; i++) out[`${districtCode}${200 + i}`] = `${place()}乡`;
  }
  townCache.set(districtCode, out);
  return out;
}

export function townName(code: string): string | null {
  if (!/^\d{9}$/.test(code)) return null;
  return townsOf(code.slice(0, 6))[code] ?? null;
}

export function isDistrictCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}
