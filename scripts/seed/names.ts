// Name pools for the demo data: people, units, posts, agencies, suppliers. Real 萧山 institutions
// where the name is generic enough; the order matters (earlier entries are picked first at small sizes).
import type { Random } from './random.ts';

// ---- people ---------------------------------------------------------------------------------------

/** Surnames with rough frequencies (per mille) as in Zhejiang: 陈 and 王 lead, 楼, 俞, 应 are local. */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['陈', 86], ['王', 72], ['张', 52], ['李', 48], ['吴', 36], ['徐', 34], ['周', 33], ['林', 30], ['黄', 28],
  ['朱', 26], ['沈', 22], ['金', 21], ['杨', 21], ['胡', 21], ['刘', 20], ['叶', 19], ['钱', 15], ['郑', 15],
  ['何', 14], ['方', 14], ['孙', 13], ['汪', 12], ['俞', 11], ['蒋', 11], ['楼', 9], ['潘', 10], ['应', 7],
  ['赵', 10], ['马', 8], ['许', 9], ['郭', 6], ['高', 7], ['姚', 7], ['邵', 7], ['施', 7], ['顾', 6], ['丁', 6],
  ['谢', 6], ['傅', 6], ['卢', 6], ['董', 6], ['毛', 6], ['曹', 5], ['冯', 5], ['蔡', 6], ['袁', 5], ['范', 5],
  ['夏', 5], ['任', 4], ['严', 4], ['陆', 6], ['倪', 4], ['程', 4], ['余', 5], ['戴', 4], ['江', 4], ['宋', 4],
  ['唐', 4], ['罗', 4], ['章', 5], ['孔', 3], ['韩', 3], ['魏', 3], ['汤', 3], ['童', 3], ['单', 3], ['屠', 2],
  ['葛', 3], ['柴', 2], ['盛', 2], ['华', 2], ['邱', 3], ['梁', 3], ['彭', 3], ['曾', 2], ['田', 2], ['杜', 2],
  ['石', 2], ['贾', 1], ['苏', 2], ['吕', 3], ['姜', 2], ['崔', 1], ['谭', 1], ['廖', 1], ['邹', 2], ['熊', 1],
  ['孟', 1], ['秦', 1], ['史', 2], ['陶', 2], ['贺', 1], ['龚', 2], ['万', 1], ['欧阳', 1], ['诸葛', 0.3],
  ['司马', 0.2], ['上官', 0.2],
];

/** Given-name characters by sex and generation: [first position, second position or single name]. */
const GIVEN: Readonly<Record<'MALE' | 'FEMALE', readonly (readonly [string, string])[]>> = {
  // Born before 1966, 1966-1985, from 1986.
  MALE: [
    ['建国志德永金根国文明水荣宝长伟学家兴', '国华平明林生根荣民华强发清良忠祥福海富'],
    ['伟志建晓海国俊文宏永立振学军剑红春', '伟强军勇杰涛斌华明平辉刚峰磊波林鹏飞亮健东'],
    ['浩子宇俊文嘉泽一天思博晨逸家子明佳', '轩宇杰浩然涛磊鑫博晨凯睿翔帆成旭昊哲阳航'],
  ],
  FEMALE: [
    ['秀桂玉凤美金彩月菊丽素爱雪亚建小', '英兰珍芬华娥凤芳娟萍琴仙妹珠梅'],
    ['丽晓雅静美海红春秋玉佳燕利小', '燕静敏芳红艳霞萍娟玲英琴慧洁颖丽华'],
    ['欣梦思雨诗佳子紫一可语心若雅晓', '婷雪倩琳莹怡悦涵雯瑶彤媛蕊萱琪璐妍'],
  ],
};

/** Chance of a one-character given name, by generation. */
const SINGLE = [0.25, 0.35, 0.15];

const SURNAME_TOTAL = SURNAMES.reduce((s, [, w]) => s + w, 0);
const SURNAME_CUMULATIVE = (() => {
  let acc = 0;
  return SURNAMES.map(([, w]) => (acc += w));
})();

/** A realistic Chinese name for a person of that sex born in that year. */
export function personName(rng: Random, sex: 'MALE' | 'FEMALE', birthYear: number): string {
  const r = rng.next() * SURNAME_TOTAL;
  let lo = 0;
  let hi = SURNAME_CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (SURNAME_CUMULATIVE[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  const surname = SURNAMES[lo]![0];
  const generation = birthYear < 1966 ? 0 : birthYear < 1986 ? 1 : 2;
  const [first, second] = GIVEN[sex][generation]!;
  const last = second[Math.floor(rng.next() * second.length)]!;
  if (rng.chance(SINGLE[generation]!)) return surname + last;
  let head = first[Math.floor(rng.next() * first.length)]!;
  if (head === last) head = first[(first.indexOf(head) + 1) % first.length]!;
  return surname + head + last;
}

/** Highest education by birth year: older staff more often stopped after junior or senior school. */
export function educationFor(rng: Random, birthYear: number): string {
  return rng.weighted(birthYear < 1966 ? EDUCATION_OLD : birthYear < 1986 ? EDUCATION_LEVELS : EDUCATION_YOUNG);
}

const EDUCATION_OLD: readonly (readonly [string, number])[] = [
  ['初中', 30],
  ['高中', 32],
  ['中专', 16],
  ['大专', 14],
  ['本科', 8],
];
const EDUCATION_YOUNG: readonly (readonly [string, number])[] = [
  ['初中', 2],
  ['高中', 6],
  ['中专', 8],
  ['大专', 30],
  ['本科', 47],
  ['硕士研究生', 7],
];

/** District organs (机关, credit-code kind 1). 区教育局 first: schools need it as supervisor. */
export const DISTRICT_ORGANS: readonly string[] = [
  '区教育局',
  '区财政局',
  '区人力资源和社会保障局',
  '区委机构编制委员会办公室',
  '区审计局',
  '区发展和改革局',
  '区民政局',
  '区卫生健康局',
  '区农业农村局',
  '区住房和城乡建设局',
  '区交通运输局',
  '区文化和广电旅游体育局',
  '区司法局',
  '区商务局',
  '区市场监督管理局',
  '区应急管理局',
  '区统计局',
  '区医疗保障局',
  '区城市管理局',
  '区数据资源管理局',
  '区退役军人事务局',
  '区经济和信息化局',
  '区科学技术局',
  '区林业水利局',
  '区信访局',
  '区人民政府办公室',
  '区委办公室',
  '区委组织部',
  '区委宣传部',
  '区委统战部',
  '区委政法委员会',
  '区纪委区监委',
  '区人大常委会办公室',
  '区政协办公室',
  '区人民法院',
  '区人民检察院',
  '区投资促进局',
  '区机关事务管理局',
  '区综合行政执法局',
  '区委社会工作部',
];

/** Mass organisations (群众团体, credit-code kind 3), counted with the district organs. */
export const MASS_ORGANIZATIONS: readonly string[] = [
  '区总工会',
  '团区委',
  '区妇女联合会',
  '区科学技术协会',
  '区残疾人联合会',
  '区文学艺术界联合会',
  '区工商业联合会',
  '区红十字会',
];

/** District-level funded institutions: [name, supervising unit, funding form]. */
export const FUNDED_INSTITUTIONS: readonly (readonly [string, string, 'FULL' | 'PARTIAL' | 'SELF_FUNDED'])[] = [
  ['区档案馆', '区委办公室', 'FULL'],
  ['区图书馆', '区文化和广电旅游体育局', 'FULL'],
  ['区疾病预防控制中心', '区卫生健康局', 'FULL'],
  ['区公共就业服务中心', '区人力资源和社会保障局', 'FULL'],
  ['区财政国库支付中心', '区财政局', 'FULL'],
  ['区融媒体中心', '区委宣传部', 'PARTIAL'],
  ['区社会福利中心', '区民政局', 'FULL'],
  ['区农业技术推广中心', '区农业农村局', 'FULL'],
  ['区博物馆', '区文化和广电旅游体育局', 'FULL'],
  ['区文化馆', '区文化和广电旅游体育局', 'FULL'],
  ['区第一人民医院', '区卫生健康局', 'PARTIAL'],
  ['区中医院', '区卫生健康局', 'PARTIAL'],
  ['区妇幼保健院', '区卫生健康局', 'PARTIAL'],
  ['区急救中心', '区卫生健康局', 'FULL'],
  ['区殡仪馆', '区民政局', 'SELF_FUNDED'],
  ['区救助管理站', '区民政局', 'FULL'],
  ['区公共资源交易中心', '区发展和改革局', 'FULL'],
  ['区财政预算绩效评价中心', '区财政局', 'FULL'],
  ['区人事考试中心', '区人力资源和社会保障局', 'FULL'],
  ['区劳动人事争议仲裁院', '区人力资源和社会保障局', 'FULL'],
  ['区教育发展研究中心', '区教育局', 'FULL'],
  ['区学生资助管理中心', '区教育局', 'FULL'],
  ['区动物疫病预防控制中心', '区农业农村局', 'FULL'],
  ['区农村经营管理服务中心', '区农业农村局', 'FULL'],
  ['区水利工程管理服务中心', '区林业水利局', 'FULL'],
  ['区防汛防旱服务中心', '区林业水利局', 'FULL'],
  ['区交通运输发展保障中心', '区交通运输局', 'FULL'],
  ['区公路与港航管理服务中心', '区交通运输局', 'FULL'],
  ['区城市管理服务中心', '区城市管理局', 'FULL'],
  ['区环境卫生管理服务中心', '区城市管理局', 'FULL'],
  ['区园林绿化管理服务中心', '区城市管理局', 'FULL'],
  ['区市政设施管理服务中心', '区城市管理局', 'FULL'],
  ['区房产管理服务中心', '区住房和城乡建设局', 'PARTIAL'],
  ['区建设工程质量安全监督站', '区住房和城乡建设局', 'FULL'],
  ['区征收安置服务中心', '区住房和城乡建设局', 'FULL'],
  ['区应急管理服务中心', '区应急管理局', 'FULL'],
  ['区统计调查中心', '区统计局', 'FULL'],
  ['区审计服务中心', '区审计局', 'FULL'],
  ['区医疗保障服务中心', '区医疗保障局', 'FULL'],
  ['区退役军人服务中心', '区退役军人事务局', 'FULL'],
  ['区大数据发展中心', '区数据资源管理局', 'FULL'],
  ['区政务服务中心', '区人民政府办公室', 'FULL'],
  ['区机关事务服务中心', '区机关事务管理局', 'FULL'],
  ['区党员教育中心', '区委组织部', 'FULL'],
  ['区网络安全信息服务中心', '区委宣传部', 'FULL'],
  ['区价格认证中心', '区发展和改革局', 'FULL'],
  ['区粮食物资储备中心', '区发展和改革局', 'PARTIAL'],
  ['区经济信息中心', '区发展和改革局', 'FULL'],
  ['区中小企业服务中心', '区经济和信息化局', 'FULL'],
  ['区科技创新服务中心', '区科学技术局', 'FULL'],
  ['区质量计量监测中心', '区市场监督管理局', 'PARTIAL'],
  ['区食品药品检验检测中心', '区市场监督管理局', 'FULL'],
  ['区消费者权益保护服务中心', '区市场监督管理局', 'FULL'],
  ['区商务发展服务中心', '区商务局', 'FULL'],
  ['区投资促进服务中心', '区投资促进局', 'FULL'],
  ['区信访服务中心', '区信访局', 'FULL'],
  ['区法律援助中心', '区司法局', 'FULL'],
  ['区公证处', '区司法局', 'SELF_FUNDED'],
  ['区社区矫正管理服务中心', '区司法局', 'FULL'],
  ['区体育中心', '区文化和广电旅游体育局', 'PARTIAL'],
  ['区旅游发展服务中心', '区文化和广电旅游体育局', 'FULL'],
  ['区文物保护管理所', '区文化和广电旅游体育局', 'FULL'],
  ['区青少年宫', '团区委', 'PARTIAL'],
  ['区老年大学', '区委组织部', 'FULL'],
  ['区残疾人康复中心', '区残疾人联合会', 'FULL'],
  ['区职工服务中心', '区总工会', 'FULL'],
  ['区妇女儿童活动中心', '区妇女联合会', 'FULL'],
  ['区科技馆', '区科学技术协会', 'FULL'],
  ['区湘湖保护管理服务中心', '区人民政府办公室', 'FULL'],
  ['区钱塘江管理所', '区林业水利局', 'FULL'],
  ['区排灌站管理所', '区林业水利局', 'FULL'],
  ['区综合行政执法大队', '区综合行政执法局', 'FULL'],
  ['区安全生产监测中心', '区应急管理局', 'FULL'],
  ['区地震监测中心', '区应急管理局', 'FULL'],
  ['区第二人民医院', '区卫生健康局', 'PARTIAL'],
  ['区第三人民医院', '区卫生健康局', 'PARTIAL'],
  ['区社会保险服务中心', '区人力资源和社会保障局', 'FULL'],
  ['区农产品质量安全检测中心', '区农业农村局', 'FULL'],
  ['区住房保障服务中心', '区住房和城乡建设局', 'FULL'],
  ['区城市规划服务中心', '区住房和城乡建设局', 'FULL'],
  ['区机关幼儿园', '区机关事务管理局', 'PARTIAL'],
  ['区网格化服务管理中心', '区委政法委员会', 'FULL'],
  ['区志愿服务指导中心', '区委宣传部', 'FULL'],
  ['区人才服务中心', '区委组织部', 'FULL'],
];

/** More district institutions, used once the list above runs out (larger districts). */
export const MORE_FUNDED_INSTITUTIONS: readonly (readonly [string, string, 'FULL' | 'PARTIAL' | 'SELF_FUNDED'])[] = [
  ['区第四人民医院', '区卫生健康局', 'PARTIAL'],
  ['区口腔医院', '区卫生健康局', 'PARTIAL'],
  ['区精神卫生中心', '区卫生健康局', 'PARTIAL'],
  ['区卫生监督所', '区卫生健康局', 'FULL'],
  ['区中心血站', '区卫生健康局', 'FULL'],
  ['区康复医院', '区卫生健康局', 'PARTIAL'],
  ['区会计核算中心', '区财政局', 'FULL'],
  ['区非税收入管理中心', '区财政局', 'FULL'],
  ['区国有资产管理服务中心', '区财政局', 'FULL'],
  ['区乡村振兴服务中心', '区农业农村局', 'FULL'],
  ['区种子管理站', '区农业农村局', 'FULL'],
  ['区畜牧兽医站', '区农业农村局', 'FULL'],
  ['区水文站', '区林业水利局', 'FULL'],
  ['区林业技术推广站', '区林业水利局', 'FULL'],
  ['区教师发展中心', '区教育局', 'FULL'],
  ['区教育技术中心', '区教育局', 'FULL'],
  ['区校外教育中心', '区教育局', 'FULL'],
  ['区婚姻登记服务中心', '区民政局', 'FULL'],
  ['区劳动保障监察大队', '区人力资源和社会保障局', 'FULL'],
  ['区市场监管执法大队', '区市场监督管理局', 'FULL'],
  ['区道路运输管理服务中心', '区交通运输局', 'FULL'],
  ['区公共自行车服务中心', '区交通运输局', 'SELF_FUNDED'],
  ['区文化市场执法大队', '区文化和广电旅游体育局', 'FULL'],
  ['区档案史志研究中心', '区委办公室', 'FULL'],
  ['区数字城管指挥中心', '区城市管理局', 'FULL'],
  ['区社会治理综合指挥服务中心', '区委政法委员会', 'FULL'],
  ['区不动产登记服务中心', '区住房和城乡建设局', 'FULL'],
];

/** Schools not tied to one town's name; each still gets a town code. */
export const DISTRICT_SCHOOLS: readonly string[] = [
  '萧山中学',
  '萧山区第二高级中学',
  '萧山区第三高级中学',
  '萧山区第五高级中学',
  '萧山区第六高级中学',
  '萧山区第八高级中学',
  '萧山区第十一高级中学',
  '萧山区第一中等职业学校',
  '萧山区第二中等职业学校',
  '萧山区特殊教育学校',
  '萧山区实验幼儿园',
  '萧山区少年体育学校',
];

/** Suffixes for town schools: 萧山区 + town short name + suffix. Kindergartens are partly funded. */
export const SCHOOL_SUFFIXES: readonly string[] = [
  '小学',
  '初级中学',
  '中心幼儿园',
  '第二小学',
  '实验小学',
  '第三小学',
  '第二初级中学',
  '第二幼儿园',
  // Larger districts: numbered schools and kindergartens.
  ...['三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四'].flatMap((n, i) => [
    `第${['四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五'][i]}小学`,
    `第${n}幼儿园`,
    ...(i < 6 ? [`第${n}初级中学`] : []),
  ]),
];

/** Public institutions of a town (镇街事业单位), named town + suffix. */
export const TOWN_INSTITUTIONS: readonly string[] = [
  '农业综合服务中心',
  '便民服务中心',
  '社会事务服务中心',
  '综合文化站',
  '退役军人服务站',
  '平安建设服务中心',
  '规划建设服务中心',
  '经济发展服务中心',
  '党群服务中心',
  '城市管理服务中心',
  '财政财务服务中心',
  '综合行政执法队',
  '林业工作站',
  '水利管理服务站',
  '劳动保障服务所',
  '市场管理服务中心',
  '网格治理服务中心',
];

export const DISPATCH_AGENCIES: readonly string[] = [
  '杭州萧山人力资源开发有限公司',
  '杭州萧然人力资源服务有限公司',
  '浙江才汇人力资源服务有限公司',
  '杭州萧山区人才发展有限公司',
  '杭州湘湖人力资源服务有限公司',
  '浙江钱塘人力资源管理有限公司',
];

/** Dispatch agencies of another district: local firms and two province-wide ones. */
export function dispatchAgenciesOf(city: string, short: string): string[] {
  return [
    `${city}${short}人力资源开发有限公司`,
    `${city}${short}人才服务有限公司`,
    `浙江${short}人力资源服务有限公司`,
    `${city}${short}劳务派遣有限公司`,
    '浙江才汇人力资源服务有限公司',
    '浙江钱塘人力资源管理有限公司',
  ];
}

/** Purchase-of-service suppliers of another district, by function. */
export function suppliersOf(city: string, short: string): Record<string, string[]> {
  return {
    SECURITY: [`${city}${short}保安服务有限公司`, `浙江${short}安保服务有限公司`, `${city}${short}金盾保安服务有限公司`],
    CLEANING: [`${city}${short}物业管理有限公司`, `${city}${short}保洁服务有限公司`, `浙江${short}物业服务有限公司`],
    GREENING: [`${city}${short}园林绿化工程有限公司`, `浙江${short}生态环境有限公司`, `${city}${short}绿化养护有限公司`],
    BASIC_PUBLIC_SERVICE: [`${city}${short}社会服务发展有限公司`],
    SOCIAL_AFFAIRS: [`${city}${short}社会工作服务中心`],
    TECHNICAL_SERVICE: [`${city}${short}信息技术服务有限公司`],
  };
}

export const SUPPLIERS: Readonly<Record<string, readonly string[]>> = {
  SECURITY: ['杭州萧山金盾保安服务有限公司', '浙江萧然保安服务有限公司', '杭州钱江安保服务有限公司'],
  CLEANING: ['杭州萧山城市物业管理有限公司', '杭州钱江保洁服务有限公司', '浙江萧宏物业服务有限公司'],
  GREENING: ['杭州湘湖园林绿化工程有限公司', '杭州绿萧园林工程有限公司', '浙江萧绿生态环境有限公司'],
  BASIC_PUBLIC_SERVICE: ['杭州萧山社会服务发展有限公司'],
  SOCIAL_AFFAIRS: ['杭州萧山社会工作服务中心'],
  TECHNICAL_SERVICE: ['杭州萧山信息技术服务有限公司'],
};

export type PostCategory = '辅助管理' | '专业技术' | '工勤';

/** Posts per category; education units draw from their own lists. */
export const POSTS: Readonly<Record<PostCategory, readonly string[]>> = {
  辅助管理: ['综合文员', '窗口服务人员', '档案管理员', '信息录入员', '财务辅助', '办公室文员', '政策宣传员'],
  专业技术: ['技术员', '会计', '信息技术员', '检测员', '法务辅助', '统计员'],
  工勤: ['驾驶员', '保安', '保洁员', '食堂厨师', '水电工', '门卫', '绿化工'],
};
export const SCHOOL_POSTS: Readonly<Record<PostCategory, readonly string[]>> = {
  辅助管理: ['教务文员', '图书管理员', '财务辅助'],
  专业技术: ['代课教师', '校医', '实验员', '心理辅导员'],
  工勤: ['保育员', '食堂厨师', '门卫', '宿管员', '保洁员'],
};
export const TOWN_POSTS: Readonly<Record<PostCategory, readonly string[]>> = {
  辅助管理: ['网格员', '综合文员', '窗口服务人员', '社区工作辅助', '信息录入员'],
  专业技术: ['农技员', '规划建设辅助', '会计', '调解员'],
  工勤: ['驾驶员', '保安', '保洁员', '协管员', '食堂厨师'],
};

export const EDUCATION_LEVELS: readonly (readonly [string, number])[] = [
  ['初中', 6],
  ['高中', 14],
  ['中专', 12],
  ['大专', 30],
  ['本科', 34],
  ['硕士研究生', 4],
];

/** Birthplaces outside Zhejiang of staff who moved here (Anhui, Jiangxi, Henan, Sichuan, ...). */
export const OUTSIDE_BIRTHPLACES: readonly string[] = [
  '340102', '340202', '341202', '341502', '342501', '360102', '360302', '361102', '410102', '410302',
  '411502', '420102', '430102', '500101', '510104', '511302', '520102', '320102', '310101', '350102',
];

export const APPLICATION_SUBJECTS: readonly string[] = [
  '申请核增编外用工管控数',
  '内设机构调整',
  '申请核增事业编制',
  '单位更名',
  '职能调整',
  '领导职数核定',
  '编外用工岗位调整',
];

export const FINDINGS: readonly (readonly [string, string | null])[] = [
  ['编外人员未纳入实名制管理', 'UNREPORTED_STAFF'],
  ['编外用工人数超出核定管控数', 'OVER_QUOTA'],
  ['劳务派遣人员比例超过用工总量10%', 'DISPATCH_RATIO'],
  ['编外人员未经公开招聘程序录用', 'NO_RECRUITMENT'],
  ['退休返聘人员超过年龄上限', 'REHIRE_AGE'],
  ['编外人员薪酬超出规定标准', 'PAY_ABOVE_STANDARD'],
  ['实名制信息更新不及时', 'REGISTRY_LATE'],
  ['编外人员未签订劳动合同', 'NO_CONTRACT'],
  ['购买服务人员在本单位顶岗使用', 'DISGUISED_OUTSOURCING'],
  ['编外用工管理制度不健全', null],
];
