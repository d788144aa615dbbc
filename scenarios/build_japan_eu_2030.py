"""Build the shipped base scenario ``scenarios/japan-eu-2030.xlsx``.

Japan and the EU buying NdPr, Dy and Tb oxide together, 2026-2035, from Chinese and
non-Chinese refiners and recyclers. Every number comes from the public figures gathered
in the project's ``data/public-figures.md`` (USGS Mineral Commodity Summaries 2026, the
CRMA 65 % benchmark, JOGMEC's 60-day target, the Japan-Lynas terms) or is an assumption
whose derivation the row's ``note`` states. Sources are named by publication and URL,
never by a local path.

Run from anywhere (the output lands beside this script unless a path is given)::

    python scenarios/build_japan_eu_2030.py [OUTPUT.xlsx]

The data tables below are grouped per sheet, in the workbook's sheet order. Column names
are never spelled here as headers: each sheet's header is the schema's column list
(``optimizer.workbook.schema``) plus ``source`` and ``note``, and every row is checked against it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # a fresh checkout runs without installing

from optimizer.workbook.schema import ANNOTATIONS, SHEET_BY_NAME  # noqa: E402
from optimizer.xlsx import atomic_workbook, write_table  # noqa: E402

OUTPUT = HERE / "japan-eu-2030.xlsx"

# --------------------------------------------------------------------------- sources
USGS = ("USGS Mineral Commodity Summaries 2026, Rare Earths "
        "(https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-rare-earths.pdf; data release "
        "https://doi.org/10.5066/P1WKQ63T)")
USGS_NDPR_PRICE = ("USGS MCS 2026, Rare Earths: NdPr oxide 99 % min, 2025e average 69 USD/kg "
                   "FOB China (Argus)")
USGS_DY_PRICE = ("USGS MCS 2026, Rare Earths (Heavy): Dy oxide 99.5 %, 2025e average "
                 "239 USD/kg FOB China (Argus)")
USGS_TB_PRICE = ("USGS MCS 2026, Rare Earths (Heavy): Tb oxide 99.99 %, 2025e average "
                 "1,010 USD/kg FOB China (Argus)")
USGS_CHINA = "USGS MCS 2026, Rare Earths: China mine production 270,000 t REO (2025e)"
USGS_BURMA = ("USGS MCS 2026, Rare Earths: Burma mine production 27,000 t (2024) -> "
              "22,000 t REO (2025e), estimated from China's import data")
USGS_VIETNAM = ("USGS MCS 2026, Rare Earths: Vietnam mine production 150 t REO (2025e), "
                "reserves 3,500,000 t")
USGS_ESTONIA = ("USGS MCS 2026, Rare Earths: US imports of compounds and metals 2021-24, "
                "Estonia 5 %")
USGS_US = "USGS MCS 2026, Rare Earths: US mine production 51,000 t REO (2025e)"
USGS_BRAZIL = "USGS MCS 2026, Rare Earths: Brazil mine production 2,000 t REO (2025e)"
CRMA = ("Regulation (EU) 2024/1252 (Critical Raw Materials Act): at most 65 % of the EU's "
        "annual consumption of each strategic raw material from a single third country, at "
        "any relevant stage of processing")
CRMA_RECYCLING = "Regulation (EU) 2024/1252 (CRMA): 2030 recycling benchmark 25 %"
JOGMEC = ("JOGMEC stockpile target: 60 days of consumption (IEA policy database; Argus "
          "2020)")
LYNAS_JAPAN_NDPR = ("Lynas -> Japan priority: up to 7,200 t/yr NdPr while Lynas output is "
                    "below 9,600 t, until 2038 (mining.com / Reuters, 2023)")
LYNAS_JAPAN_HRE = ("Lynas -> Japan: up to 65 % of Dy/Tb from Mt Weld feedstock (Green Car "
                   "Congress, 2023); JARE covers about 30 % of Japan's Dy/Tb demand (METI via "
                   "https://www.iru-miru.com/en/article_detail.php?id=58546)")
LYNAS_CAPACITY = ("Lynas: Malaysia NdPr capacity raised 7,200 -> 10,500 t/yr, Mt Weld target "
                  "12,000 t/yr NdPr (https://www.australianmining.com.au/"
                  "lynas-mt-weld-gets-a-boost/); 6,142 t NdPr oxide in FY2023 "
                  "(https://fastmarkets.com/insights/"
                  "lynas-to-produce-dysprosium-terbium-oxide-in-malaysia)")
LYNAS_HRE = ("Lynas: first Dy May 2025, Tb June 2025 in Malaysia; SEGH circuit 1,500 t/yr "
             "(https://www.australianmining.com.au/"
             "lynas-produces-worlds-first-dysprosium-outside-of-china/)")
DOD_MP = ("DoD-MP Materials agreement: 110 USD/kg NdPr oxide price floor for 10 years "
          "(FAS, 2025)")
MP_OUTPUT = ("MP Materials: 1,294 t NdPr oxide in 2024 (MP Q4-2024 release, secondary); "
             "10X magnet plant 10,000 t/yr by 2028 (FAS)")
SERRA_VERDE = ("Serra Verde: about 5,000 t/yr REO expected by 2026 (secondary: "
               "https://baltimorechronicle.com/society/2025/08/13/"
               "largest-rare-earth-metal-reserves-china-brazil-india)")
ECA_MAGNETS = ("European Court of Auditors (Feb 2026): 20,000 t of permanent magnets used "
               "by EU industry in 2024, 17,000 t from China (secondary: "
               "https://www.plataformamedia.com/en/2026/02/03/"
               "eu-faces-major-reliance-on-china-for-critical-minerals-auditors-warn)")
SILMET_ARGUS = ("Argus, Jul 2023: 'Neo already has a 3,000 t/yr light rare earth separation "
                "plant at Silmet' (https://www.argusmedia.com/de/news-and-insights/latest-"
                "market-news/2465359-magnequench-starts-building-estonia-re-magnet-plant)")
CJC_JAPAN = ("JEMAI / CJC: Japan's consumption in 2010, 5,800 t (Nd 5,200 t, Dy 600 t); about "
             "35 % of the input ends as swarf, returned almost entirely to alloy makers "
             "(https://www.cjc.or.jp/raremetal/overview/needs-targets/neodymium-dysprosium)")
GTA_2010 = ("Global Trade Alert, state act 2092: China, temporary export restrictions on "
            "rare earths to Japan, 21 Sep - 20 Nov 2010 "
            "(https://www.globaltradealert.org/state-act/2092/china-temporary-export-"
            "restrictions-on-rare-earth-minerals-to-japan)")
CAREMAG_JOGMEC = ("Argus, 17 Mar 2025: JOGMEC and Iwatani invest up to EUR 110 mn (USD 120 "
                  "mn) in Caremag for a term contract of about 250 t/yr Dy and 45 t/yr Tb, "
                  "deliveries from 2027; Lacq plant to treat 2,000 t/yr recycled magnets and "
                  "5,000 t/yr ore (METI) (https://www.argusmedia.com/ja/news-and-insights/"
                  "latest-market-news/2668346-japanese-firms-invest-in-french-rare-earths-"
                  "producer)")
SMM_APR_2025 = ("SMM, 18 Apr 2025: within a month of China's 4 Apr 2025 export controls the "
                "Dy oxide price in Europe nearly tripled and Tb oxide more than doubled, "
                "China domestic stable (https://news.metal.com/newscontent/103310477/)")
NEO_NARVA = ("Argus, Jul 2023: Neo's Narva plant phase 1 'about 2,000 t/yr of sintered rare "
             "earth permanent magnets' (https://www.argusmedia.com/de/news-and-insights/"
             "latest-market-news/2465359-magnequench-starts-building-estonia-re-magnet-"
             "plant); opened 19 Sep 2025, series production from mid-2026 (Neo Q3-2025 "
             "results, https://rohstoff.net/?p=13915)")
LCM_METAL = ("MMTA interview with Less Common Metals: NdPr metal by molten-salt "
             "electrolysis, 2 cells of about 55 t/yr, expanding to 6 cells, about 330 t/yr "
             "'as and when the demand increases' (https://mmta.co.uk/less-common-metals-"
             "building-a-sustainable-ree-supply-chain/)")
MAGNET_CONTENT = ("Heim & Vander Wal, Minerals 13(10) 1274, 2023 (doi:10.3390/min13101274): "
                  "'total rare earth content is ~30% as the reduced metal' in NdFeB; grain-"
                  "boundary diffusion uses a half to a third of the Dy/Tb (IEEE "
                  "Electrification Magazine, Mar 2017)")
FASTMARKETS_METAL = ("Fastmarkets, 18 Apr 2024: NdPr oxide FOB China 53-55 USD/kg, NdPr "
                     "metal 66-68 USD/kg (https://www.fastmarkets.com/insights/china-rare-"
                     "earth-prices-turn-higher-as-sellers-insist-on-higher-prices/)")
EC_MAGNETS = ("European Commission (DG GROW), Rare earth elements, permanent magnets and "
              "motors: 98 % of EU rare-earth magnet demand met by imports from China "
              "(https://single-market-economy.ec.europa.eu/sectors/raw-materials/areas-"
              "specific-interest/rare-earth-elements-permanent-magnets-and-motors_hr)")
ADAMAS_EXPORTS = ("Adamas Intelligence: China exported a record 58,152 t of magnets and "
                  "magnet alloys in 2024 (https://www.adamasintel.com/record-rare-earth-"
                  "magnet-exports-from-china-in-2024/)")
EX_CHINA_PREMIUM = ("Reuters, 1 Jul 2025, 'Rare earth magnet users jolted into paying "
                    "premium prices for ex-China supply': Neo's customers pay 10-30 USD/kg "
                    "more; Vietnam-made magnets 15-20 % more (copy: https://www."
                    "worldenergynews.com/news/users-rare-earth-magnets-are-compelled-pay-"
                    "762958)")
SHIN_ETSU_VN = ("Shin-Etsu Chemical news release: rare-earth magnet capacity in Vietnam "
                "doubled to 2,200 t/yr (https://www.shinetsu.co.jp/en/news/news-release/"
                "shin-etsu-chemical-to-double-its-production-capacity-of-rare-earth-magnets-"
                "in-vietnam/)")
JAPAN_MAGNET_SHARE = ("CNA/Bloomberg Opinion, 9 Jan 2026: China makes about 80 % of NdFeB "
                      "magnets, Japan about half of the rest (https://www.channelnewsasia."
                      "com/commentary/china-rare-earth-japan-export-ban-taiwan-5845981)")
NARVA_PHASE2 = ("GLOBAL RECYCLING 2/2023 p.17: Neo 'is considering plans to increase the "
                "facility's capacity to 5,000 tons/year in a phase 2 expansion, depending upon "
                "market conditions' (https://global-recycling.info/archives/8442); phase 1 cost "
                "EUR 75 m (Automotive World, 19 Sep 2025, https://www.automotiveworld.com/"
                "articles/neo-opens-estonia-rare-earth-plant-to-cut-eu-reliance-on-china/)")
STAR_GROUP_VN = ("The Investor via Rare Earth Exchanges: Star Group Industries' SGI Vina "
                 "plant, Quang Nam, USD 80 m, 4,000 t/yr of magnets, opening Feb 2025 "
                 "(https://rareearthexchanges.com/news/magnet-manufacturing)")
KOREA_MAGNETS = ("Argus 2503299, Nov 2023: Seonglim Advanced Industrial completed its "
                 "1,000 t/yr Hyeonpung magnet plant, Korea's first (https://argusmedia.com/"
                 "en/news-and-insights/latest-market-news/2503299-south-korea-produces-first-"
                 "rare-earth-permanent-magnet)")
LYNAS_JSLINK = ("Lynas ASX release, 24 Jul 2025 (MoU with JS Link): a '3000-tonne capacity "
                "NdFeB permanent sintered magnet manufacturing facility' beside Lynas Malaysia, "
                "Kuantan (https://www.finnewsnetwork.com.au/archives/finance_news_network"
                "2262240.html)")
SEONG_AN_METAL = ("Financial News, 4 Aug 2023, via SEONG-AN: NdPr metallisation plant in "
                  "Binh Duong, Vietnam, 144 t/yr, test operation Jul 2023, expansion to 720 t "
                  "planned (http://seong-an.com/press_release/?bmode=view&idx=17474480"
                  "&t=board)")
SMM_FEB_2026 = ("SMM Rare Earth Weekly Review, Feb 2026: Pr-Nd oxide 747-753 k CNY/t, Dy oxide "
                "1.39-1.41 m CNY/t, China domestic incl. 13 % VAT (https://news.metal.com/"
                "newscontent/103757978-Pr-Nd-Prices-Remain-High-Downstream-Procurement-"
                "Activities-Decrease-SMM-Rare-Earth-Weekly-Review)")
BENCHMARK_JUL_2025 = ("Benchmark, Jul 2025: Dy oxide CIF Europe 800 USD/kg, Tb oxide 3,625 "
                      "USD/kg (x3.4 and x3.5 China's domestic price), PrNd in Europe 5 % below "
                      "China (https://benchmark-source-core.pages.dev/article/rare-earth-"
                      "prices-show-regional-bifurcation-following-export-restrictions-"
                      "imposed-by-china)")
LICENSING_2025 = ("China's export licensing of Dy and Tb since 4 Apr 2025 (MOFCOM; 45 working "
                  "days per licence): full-year 2025 exports Dy -35 % (to Japan -95 %), Tb "
                  "-38 % (https://rawmaterials.net/exports-of-dysprosium-and-terbium-decline-"
                  "sharply-in-2025-as-destination-markets-shift)")
CHINA_MAGNETS_EU = ("China customs via Reuters: 8,360 t of magnets to the EU in H1 2025 "
                    "(-22.4 %), about 10,800 t in H1 2024; 57,392 t to the world in 2025 "
                    "(https://rareearthexchanges.com/?p=8723; http://www.goldsea.com/public/"
                    "index.php/article_details/china-rare-earth-exports-to-us-japan-fell-in-"
                    "december)")
JARE_2026 = ("Lynas-JARE agreement revised 10 Mar 2026, to 2038: JARE buys 5,000 t/yr of "
             "NdPr at a floor of 110 USD/kg; 75 % of Lynas's heavy-rare-earth oxide made "
             "available to Japan, JARE buying the equivalent of 50 % of the output "
             "(https://thewest.com.au/business/mining/lynas-rare-earths-inks-a-revamped-"
             "deal-with-major-japanese-customer-at-magic-ndpr-floor-price-c-21903677)")
LYNAS_OUTPUT = ("Lynas output: NdPr 6,558 t in FY2025 (https://www.middle.news/articles/2025/"
                "08/27/lynas-accelerates-rare-earths-growth-with-record-production-and-750m-"
                "raise); Sep-2025 quarter NdPr 2,003 t, Dy+Tb 9 t (Argus 2748095); Dec-2025 "
                "quarter NdPr 1,404 t, Dy+Tb 26 t (https://grafa.com/pt-BR/news/united-"
                "states/lynas-rare-earths-sees-30-drop-in-ndpr-output)")
LYNAS_HRE_2025 = ("Lynas, 29 Oct 2025: new Malaysian heavy-rare-earth facility for 5,000 t/yr "
                  "of feed, Dy/Tb 'within two years' (https://www.processonline.com.au/"
                  "content/business/news/lynas-to-expand-heavy-rare-earths-separation-"
                  "facility-in-malaysia-940202364)")
MP_2025 = ("MP Materials: 2,599 t NdPr oxide in 2025, exit run rate near 4,000 t/yr; "
           "heavy-rare-earth circuit from mid-2026, >200 t/yr Dy+Tb at full ramp "
           "(https://investingnews.com/mp-materials-reports-fourth-quarter-and-full-year-"
           "2025-results/; https://www.metalnomist.com/2026/01/mp-materials-dysprosium-and-"
           "terbium.html)")
SOLVAY_2025 = ("Solvay La Rochelle: NdPr since Apr 2025, several hundred t in 2025, about "
               "4,500 t/yr hoped for by 2030 (https://24brussels.online/?p=13798); Dy/Tb only "
               "'potential ... in the future' (https://www.metalnomist.com/2025/06/solvay-"
               "starts-rare-earth-oxide-refining.html)")
CAREMAG_OUTPUT = ("Caremag (Lacq), start end-2026: 600 t/yr of Dy and Tb oxides and 800 t/yr "
                  "of NdPr oxide from 2,000 t of magnets and 5,000 t of concentrates "
                  "(http://economie-et-management.fr/caremag-securise-216-millions-deuros-de-"
                  "financement/)")
SERRA_CHINA = ("SMM: Serra Verde makes 4,000-5,000 t/yr REO, 6,500 t by 2027; its concentrate "
               "goes to Chinese separators under contracts ending end-2026 (https://news."
               "metal.com/newscontent/103660406/Serra-Verde-Cuts-Rare-Earth-Supply-Deal-Term-"
               "with-China-Eyes-West-Shift)")
SHORTAGE_COST = ("IMF WP 2026/073: an 80 % cut in rare-earth supply costs Japan 1.8 % of GDP "
                 "within a year (https://econpapers.repec.org/paper/imfimfwpa/2026_2f073.htm);"
                 " Daiwa: a one-year cut-off costs Japan 1.3 % of real GDP, about 7 tn JPY "
                 "(https://www.dir.co.jp/english/research/report/analysis/20251211_025465."
                 "html); derived 2.9-7.6 M USD per t of magnet rare earths "
                 "(docs/sources/scenario-review.md, section 7)")
JAPAN_BAN_2026 = ("MOFCOM Announcement No. 1 of 2026 (6 Jan 2026): dual-use exports to Japan "
                  "banned for military end uses; reviews for Japanese industry reported halted "
                  "(https://www.geopolitechs.org/p/china-plans-to-reimpose-rare-earth)")
ECA_2030 = ("S&P Global, 4 Feb 2026, on the European Court of Auditors: 'by 2030 no more than "
            "65 % ... from a single non-EU country'; rare earths already above it at the "
            "processing stage (https://www.spglobal.com/energy/en/news-research/latest-news/"
            "metals/020426-eu-faces-uphill-battle-to-meet-critical-raw-materials-targets-"
            "auditors-report)")
ASSUMPTION = "assumption (see note)"

# --------------------------------------------------------------------------- periods
PERIODS = list(range(2026, 2036))
DAYS = 365
FIRST = PERIODS[0]


def per_period(values: list[float]) -> dict[int, float]:
    """Capacities listed from 2026 on; the last value holds for the remaining periods."""
    return {t: values[min(i, len(values) - 1)] for i, t in enumerate(PERIODS)}


# --------------------------------------------------------------------------- prices
# China's prices, the reference every other offer is priced against (USD/t)
NDPR, DY, TB = "NdPr oxide", "Dy oxide", "Tb oxide"
METAL, MAGNET = "NdPr metal", "NdFeB magnet"
# NdPr: the 2026 level, not the USGS 2025 average (69): SMM's Feb 2026 Pr-Nd oxide of
# about 750 k CNY/t / 1.13 VAT / 7.0 CNY per USD = 95 USD/kg; strategy ndpr-69 the low end
CHINA_NDPR_PRICE = 95_000
CHINA_PRICE = {NDPR: CHINA_NDPR_PRICE, DY: 239_000, TB: 1_010_000}  # Dy, Tb: USGS 2025e FOB
METAL_PER_OXIDE = 1.24  # Fastmarkets' metal/oxide price ratio, 67/54 (FASTMARKETS_METAL)
METAL_PRICE = int(round(CHINA_NDPR_PRICE * METAL_PER_OXIDE, -3))  # 118,000: China's NdPr metal
# t of input per t of sintered magnet (MAGNET_CONTENT): NdPr metal, and Dy and Tb oxide
MAGNET_RECIPE = {METAL: 0.30, DY: 0.013, TB: 0.0035}
CONVERSION = 13_000  # USD/t: China's margin from content to finished magnet (assumed)
CHINA_MAGNET_PRICE = int(round(MAGNET_RECIPE[METAL] * METAL_PRICE + MAGNET_RECIPE[DY]
                           * CHINA_PRICE[DY] + MAGNET_RECIPE[TB] * CHINA_PRICE[TB]
                           + CONVERSION, -3))  # 55,000
OXIDE_PER_T_METAL = 1.20  # LCM's recipe: t of NdPr oxide per t of metal, with losses


def times(factor: float, material: str = NDPR) -> int:
    """China's price of ``material`` x ``factor``, rounded to 1,000 USD/t."""
    return int(round(CHINA_PRICE[material] * factor, -3))

# --------------------------------------------------------------------------- Settings
SETTINGS = [
    ("name", "Japan-EU joint rare-earth procurement 2026-2035 (base)", "",
     "Shipped base scenario; rebuild with scenarios/build_japan_eu_2030.py"),
    ("unit", "t", "", "Tonnes of each material as bought: oxide, metal or magnet"),
    ("currency", "USD", USGS, "Prices in USD/t: 95 USD/kg = 95,000 USD/t"),
    ("coordination", "joint", "", "One plan for both partners; strategies pro-rata and "
     "sequential compare the alternatives"),
    ("discount_rate", 0.03, ASSUMPTION, "3 % a year, a public-sector real discount rate"),
    ("closing_stock_value", 1, ASSUMPTION, "Stock left at the end of 2035 credited at the "
     "lowest price any partner could buy it for in 2035 (SPEC 3.1): a reserve still in the "
     "warehouse is not a cost"),
    ("robust", "no", "", "Deterministic plan; strategy robust plans against the "
     "Disruptions sheet"),
]

# --------------------------------------------------------------------------- Materials
# material, description, stage, shortage penalty, source, note
STAGES = ["oxide", "metal", "magnet"]  # SPEC 3.2: the order processing runs in
# A tonne of magnets short: about 700 EV traction motors (1.5 kg each) not built, at
# about 10 % margin on a 30,000 USD car, 2.1 M USD; rounded to 2 M
MAGNET_PENALTY = 2_000_000


def stops(per_magnet: float) -> float:
    """The penalty of an input per tonne: the magnets its missing tonne stops (a magnet
    needs all its inputs), at the magnet's penalty, to three significant figures."""
    value = MAGNET_PENALTY / per_magnet
    return float(f"{value:.3g}")


PENALTY = {NDPR: stops(MAGNET_RECIPE[METAL] * OXIDE_PER_T_METAL), DY: stops(MAGNET_RECIPE[DY]),
           TB: stops(MAGNET_RECIPE[TB]), METAL: stops(MAGNET_RECIPE[METAL]),
           MAGNET: MAGNET_PENALTY}
STOPS_NOTE = ("Shortage penalty {penalty:,.0f} USD/t: a tonne short stops {magnets:,.1f} t of "
              "magnets ({per} t per t of magnet, Heim & Vander Wal 2023), each costing the "
              "magnet's 2 M USD/t. It is what that material short alone costs: the linear "
              "model adds the penalties when several run short together, though a magnet "
              "lost counts once, so a shortage of all three is overstated. For NdPr it is "
              "inside the 2.9-7.6 M USD/t derived from IMF and Daiwa (source column)")


def stops_note(material: str, per: float) -> str:
    return STOPS_NOTE.format(penalty=PENALTY[material], magnets=1 / per, per=per)


MATERIALS = [
    (NDPR, "Neodymium-praseodymium oxide, 99 % min (the USGS/Argus price grade)",
     "oxide", PENALTY[NDPR], SHORTAGE_COST,
     stops_note(NDPR, MAGNET_RECIPE[METAL] * OXIDE_PER_T_METAL)),
    (DY, "Dysprosium oxide, 99.5 % (USGS/Argus price grade)", "oxide", PENALTY[DY],
     SHORTAGE_COST, stops_note(DY, MAGNET_RECIPE[DY])),
    (TB, "Terbium oxide, 99.99 % (USGS/Argus price grade)", "oxide", PENALTY[TB],
     SHORTAGE_COST, stops_note(TB, MAGNET_RECIPE[TB])),
    (METAL, "Neodymium-praseodymium metal (75:25), the feed of magnet alloy", "metal",
     PENALTY[METAL], FASTMARKETS_METAL, "Nobody demands it directly: magnet plants use it. "
     + stops_note(METAL, MAGNET_RECIPE[METAL])),
    (MAGNET, "Sintered NdFeB permanent magnet, EV traction grade (grain-boundary "
     "diffused Dy/Tb)", "magnet", MAGNET_PENALTY, ASSUMPTION,
     "Shortage penalty assumed 2 M USD/t: a tonne of magnets equips about 700 EV traction "
     "motors (about 1.5 kg each); about 10 % margin on a 30,000 USD car is 2.1 M USD, the "
     "output lost for want of a tonne"),
]

# --------------------------------------------------------------------------- Buyers
BUYERS = [  # sequential mode plans in this order: Japan first
    ("Japan", "JOGMEC and Japanese magnet makers"),
    ("EU", "EU joint purchasing under the CRMA (EU Raw Materials Platform members)"),
]
BUYER_NAMES = [b for b, _ in BUYERS]

# --------------------------------------------------------------------------- Suppliers
CHINA, CHINA_MM = "China refiners", "China refiners (Myanmar ore)"
LYNAS, MP, SILMET = "Lynas Malaysia", "MP Materials", "Neo Silmet"
SOLVAY, CAREMAG, SERRA = "Solvay La Rochelle", "Carester Caremag", "Serra Verde"
EU_REC, JP_REC = "EU magnet recyclers", "Japan magnet recyclers"
CHINA_METAL, CHINA_MAG = "China metal makers", "China magnet makers"
JP_MAG, VN_MAG = "Japanese magnet makers", "Shin-Etsu Vietnam"
STAR_MAG, KR_MAG, MY_MAG = "Star Group Vietnam", "Korean magnet makers", "Lynas-JS Link"
VN_METAL = "SEONG-AN Vietnam"

# supplier, country, origin (blank: same as country), description, source, note
SUPPLIERS = [
    (CHINA, "China", None, "Chinese separators and refiners working domestic ore (Dy and Tb "
     "export-licensed since April 2025)", USGS_CHINA, "Origin blank: mined in China"),
    (CHINA_MM, "China", "Myanmar", "Chinese separators working Myanmar ionic-clay "
     "concentrate, the main feed of Chinese Dy/Tb (export-licensed)", USGS_BURMA,
     "Refined in China, so the China country cap counts it; the myanmar-outage "
     "disruption hits it through its origin"),
    (LYNAS, "Malaysia", "Australia", "Lynas Rare Earths: Mt Weld ore, separated in "
     "Malaysia", LYNAS_CAPACITY, ""),
    (MP, "United States", None, "MP Materials, Mountain Pass (California)", MP_OUTPUT, ""),
    (SILMET, "Estonia", None, "Neo Performance Materials, Silmet separation plant "
     "(Sillamae)", USGS_ESTONIA, "Feed imported; only light rare earths separated"),
    (SOLVAY, "France", None, "Solvay rare-earth separation plant, La Rochelle", SOLVAY_2025,
     "Light rare earths only: no heavy-rare-earth line announced; feed imported"),
    (CAREMAG, "France", None, "Carester Caremag, Lacq: separation of recycled magnets and "
     "concentrates", CAREMAG_OUTPUT, "Start-up end-2026, so first deliveries in 2027"),
    (SERRA, "Brazil", None, "Serra Verde ionic-clay project (Goias), magnet rare earths "
     "separated outside China under a toll agreement", SERRA_CHINA,
     "Its concentrate goes to Chinese separators until end-2026 (that tonnage is inside the "
     "Chinese offers); assumed toll-separated outside China from 2028 by a plant other than "
     "Caremag or Lynas, whose offers exclude it (hence country Brazil, lead time 1 on "
     "Routes)"),
    (EU_REC, "Germany", None, "EU magnet recyclers (swarf and end-of-life magnets to "
     "oxide)", CRMA_RECYCLING, "Country: where the plants are"),
    (JP_REC, "Japan", None, "Japanese magnet-scrap recycling (mainly production swarf)",
     ASSUMPTION, "Country: where the plants are"),
    # the metal and magnet stages (SPEC 3.2): bought finished, or made in the plants on the
    # Processing sheet
    (CHINA_METAL, "China", None, "Chinese NdPr metal makers (molten-salt electrolysis)",
     FASTMARKETS_METAL, "China makes most of the world's rare-earth metal"),
    (CHINA_MAG, "China", None, "Chinese sintered NdFeB magnet makers", ADAMAS_EXPORTS,
     "Origin blank: mined in China; the oxide and metal inside are not tracked"),
    (JP_MAG, "Japan", None, "Japanese magnet makers (Shin-Etsu, Proterial, TDK, Daido) "
     "selling finished magnets abroad", JAPAN_MAGNET_SHARE,
     "Origin blank; their oxide comes mostly from China and Lynas"),
    (VN_MAG, "Vietnam", None, "Shin-Etsu Magnetic Materials Vietnam (Hai Phong), separation "
     "and sintering", SHIN_ETSU_VN, ""),
    (STAR_MAG, "Vietnam", None, "Star Group Industries' SGI Vina magnet plant, Quang Nam",
     STAR_GROUP_VN, "Origin blank; its oxide and metal are not tracked"),
    (KR_MAG, "South Korea", None, "Korean sintered-magnet makers (Seonglim Hyeonpung; "
     "SEONG-AN Daegu)", KOREA_MAGNETS, "Origin blank; Korea buys most of its oxide from "
     "China"),
    (MY_MAG, "Malaysia", None, "Planned Lynas and JS Link magnet plant, Kuantan",
     LYNAS_JSLINK, "Origin blank: fed by Lynas Malaysia's separated NdPr (Australian ore)"),
    (VN_METAL, "Vietnam", None, "SEONG-AN's NdPr metal plant, Binh Duong", SEONG_AN_METAL,
     "Fed with MP Materials' NdPr oxide (240 t contract); origin blank"),
]

# --------------------------------------------------------------------------- Supply
# Recycled oxide per tonne of magnet scrap: magnet content x oxide/metal mass ratio x 90 %
# recovery (content as in the Demand notes: NdPr 26 %, Dy 1.2 %, Tb 0.3 %).
RECOVERY = 0.9
OXIDE_PER_METAL = {NDPR: 1.166, DY: 1.148, TB: 1.176}  # Nd2O3/2Nd, Dy2O3/2Dy, Tb4O7/4Tb
SCRAP_CONTENT = {NDPR: 0.26, DY: 0.012, TB: 0.003}
EU_SCRAP = [1000, 1500, 2000, 2700, 3400, 4100, 4800, 5500, 6200, 7000]  # t magnets / yr
JP_SCRAP = [2200, 2400, 2600, 2800, 3000, 3200, 3400, 3600, 3800, 4000]


def recycled(scrap: list[float], material: str) -> list[float]:
    per_t = SCRAP_CONTENT[material] * OXIDE_PER_METAL[material] * RECOVERY
    return [round(s * per_t) for s in scrap]


# Caremag (Lacq): the whole heavy-rare-earth output is financed only against term
# contracts for nearly all of it. JOGMEC/Iwatani's 250 t Dy and 45 t Tb a year are about
# half of it (CAREMAG_JOGMEC); the bankable minimum of 90 % is more than either partner
# uses, so only the coalition can sign (scenarios/README.md).
CAREMAG_DEAL = "caremag-lacq"
NARVA_UPFRONT = 120_000_000  # USD, see the Deals note
CAREMAG_UPFRONT = 120_000_000  # USD: JOGMEC/Iwatani's EUR 110 mn (CAREMAG_JOGMEC)
CAREMAG_PRICE = {DY: times(0.9, DY), TB: times(0.9, TB)}  # FOB China less 10 %
CAREMAG_SUPPLY_NOTE = (
    "Under deal caremag-lacq. Capacity: JOGMEC's {japan}/yr is about half the plant's "
    "heavy-rare-earth output, so {full} t/yr at full rate (2028), {first} t in 2027 "
    "(start-up late 2026); min_offtake = the bankable 90 % of capacity; price assumed "
    "10 % below USGS 2025e FOB China: the investors' return taken as a price discount "
    "(on the whole output, about 21 m USD a year, it repays the 120 m upfront in under "
    "seven years at the 3 % discount rate)")

# supplier, material, tier, capacity (a number: every period; a list: from 2026 on, the
# last value holding after), price USD/t, min_offtake (a number, or a list like
# capacity), source, note
# China licenses Dy and Tb exports since April 2025 (LICENSING_2025): tier 1 is the licensed
# volume, about 0.65 of what the coalition took before (2025: Dy -35 %, Tb -38 %), at the
# FOB China price; tier 2 the tonnes found beyond the licences, through traders, at the
# European price, about 3x China's (BENCHMARK_JUL_2025)
LICENSED = "Licensed volume assumed: about 0.65 of the coalition's intake before the controls "
BEYOND = ("Tonnes beyond the licences (traders' stocks of Chinese material), assumed; price "
          "x3, Europe's premium over China in 2025 (Benchmark, Jul 2025: x3.4 Dy, x3.5 Tb, on "
          "few trades)")
NON_CHINA = ("; price assumed China's + {pct} % (ex-China NdPr traded near China's price in "
             "2025, Benchmark, Jul 2025)")
SUPPLY = [
    # China NdPr: what it ships to Japan and the EU today, then dearer tiers for more
    (CHINA, NDPR, 1, 4_000, CHINA_NDPR_PRICE, None, SMM_FEB_2026,
     "Tier 1 = today's flow, assumed: about 70 % of Japan's 5,500 t (3,850 t; Japan's "
     "China share in 2024, JOGMEC) plus the EU's 610 t, rounded; China's annual NdPr "
     "exports to Japan and the EU are not published. Price: the Feb 2026 level (SMM)"),
    (CHINA, NDPR, 2, 4_000, times(1.15), None, SMM_FEB_2026,
     "Tier 2 = new contracts beyond today's flow, bid against China's own magnet makers "
     "under its export and production quotas: +15 % (assumed)"),
    (CHINA, NDPR, 3, 8_000, times(1.40), None, SMM_FEB_2026,
     "Tier 3 = more still, +40 % (assumed); China's 270,000 t REO of mine output holds "
     "about 50,000 t NdPr (USGS MCS 2026 x ~20 %)"),
    (CHINA, DY, 1, 150, CHINA_PRICE[DY], None, LICENSING_2025,
     LICENSED + "(Dy oxide, domestic ore; about half of China's Dy to the coalition). "
     "Price: USGS 2025e FOB China, 239 USD/kg"),
    (CHINA, DY, 2, 50, times(3, DY), None, BENCHMARK_JUL_2025, BEYOND),
    (CHINA, TB, 1, 30, CHINA_PRICE[TB], None, LICENSING_2025,
     LICENSED + "(Tb oxide, domestic ore). Price: USGS 2025e FOB China, 1,010 USD/kg"),
    (CHINA, TB, 2, 10, times(3, TB), None, BENCHMARK_JUL_2025, BEYOND),
    (CHINA_MM, DY, 1, 150, CHINA_PRICE[DY], None, LICENSING_2025,
     LICENSED + "(Dy from Myanmar ore: 22,000 t REO x ~4 % Dy2O3, most of it used in China)"),
    (CHINA_MM, DY, 2, 50, times(3, DY), None, BENCHMARK_JUL_2025, BEYOND),
    (CHINA_MM, TB, 1, 35, CHINA_PRICE[TB], None, LICENSING_2025,
     LICENSED + "(Tb from Myanmar ore: 22,000 t REO x ~0.7 % Tb4O7)"),
    (CHINA_MM, TB, 2, 10, times(3, TB), None, BENCHMARK_JUL_2025, BEYOND),
    # Lynas: tier 1 = the JARE contract (Japan only), tier 2 = the rest of its output
    (LYNAS, NDPR, 1, 5_000, 110_000, 5_000, JARE_2026,
     "The JARE contract: 5,000 t/yr firm (min_offtake = capacity) at the 110 USD/kg floor, "
     "to 2038; open to Japan only (Supply buyers), the EU gets it only through Sharing. "
     "The upside share above 150 USD/kg never applies at these prices"),
    (LYNAS, NDPR, 2, [1_000, 1_750, 2_250], 110_000, None, LYNAS_OUTPUT,
     "Lynas NdPr assumed 7,000 t in 2026 (calendar 2025: 6,996 t), 8,500 t in 2027, "
     "9,500 t from 2028 (10,500 t nameplate); half of what JARE does not take open to the "
     "coalition (Korean and US buyers take the rest); price assumed at the 110 USD/kg floor "
     "of its JARE contract, which Lynas has no reason to undercut (MP's DoD floor is the "
     "same). The 5,000 t minimum offtake counts both tiers (SPEC 4.6)"),
    (LYNAS, DY, 1, [44, 62, 94], 300_000, [29, 42, 63], JARE_2026,
     "75 % of Lynas Dy made available to Japan (Japan only), JARE buying 50 % (min_offtake)."
     " Lynas Dy+Tb assumed 70 t in 2026 (H2 2025: 35 t), 100 t in 2027, 150 t from 2028 "
     "with the new heavy-rare-earth plant (Lynas, Oct 2025), split 5:1 Dy:Tb (not "
     "disclosed): Dy 58 / 83 / 125 t. Price assumed 300 USD/kg"),
    (LYNAS, DY, 2, [14, 21, 31], 340_000, None, LYNAS_HRE_2025,
     "The other 25 % of Lynas Dy; price assumed 340 USD/kg"),
    (LYNAS, TB, 1, [9, 13, 19], 1_250_000, [6, 8, 12], JARE_2026,
     "75 % of Lynas Tb (12 / 17 / 25 t, as for Dy) available to Japan, JARE buying 50 %; "
     "price assumed 1,250 USD/kg"),
    (LYNAS, TB, 2, [3, 4, 6], 1_400_000, None, LYNAS_HRE_2025,
     "The other 25 % of Lynas Tb; price assumed 1,400 USD/kg"),
    # MP Materials: most output goes to US magnet making; priced at the DoD floor
    (MP, NDPR, 1, [500, 800, 1_000], 110_000, None, MP_2025,
     "Open to the coalition: assumed 500 -> 1,000 t (MP made 2,599 t in 2025 and ended it "
     "near 4,000 t/yr; most output feeds US magnet plants); price = the DoD floor (DoD-MP "
     "agreement, 2025)"),
    (MP, DY, 1, [10, 20, 30], 330_000, None, MP_2025,
     "Assumed: a fifth of the >200 t/yr Dy+Tb at full ramp (Dy:Tb about 3:1) open to the "
     "coalition, US magnet plants first; price assumed 330 USD/kg"),
    (MP, TB, 1, [3, 5, 10], 1_350_000, None, MP_2025,
     "Assumed, as for Dy; price assumed 1,350 USD/kg"),
    # Europe
    (SILMET, NDPR, 1, 600, times(1.05), None, SILMET_ARGUS,
     "Capacity assumed: a fifth of Silmet's 3,000 t/yr light-rare-earth separation (Argus; "
     "its output is not published)" + NON_CHINA.format(pct=5) + "; volume discounts on the "
     "Discounts sheet"),
    (SOLVAY, NDPR, 1, [500, 800, 1_000, 1_200, 1_500], times(1.05), None, SOLVAY_2025,
     "Assumed: a third of the hoped-for 4,500 t/yr by 2030 open to the coalition, from "
     "several hundred t in 2025" + NON_CHINA.format(pct=5)),
    (CAREMAG, NDPR, 1, [0, 400, 800], times(1.05), None, CAREMAG_OUTPUT,
     "800 t/yr announced; half in 2027, full from 2028 (assumed)" + NON_CHINA.format(pct=5)),
    # Caremag's heavy rare earths exist only under the deal CAREMAG_DEAL (Deals sheet)
    (CAREMAG, DY, 1, [0, 250, 500], CAREMAG_PRICE[DY], [0, 225, 450], CAREMAG_JOGMEC,
     CAREMAG_SUPPLY_NOTE.format(japan="250 t Dy", full="500", first="250")),
    (CAREMAG, TB, 1, [0, 45, 90], CAREMAG_PRICE[TB], [0, 40, 81], CAREMAG_JOGMEC,
     CAREMAG_SUPPLY_NOTE.format(japan="45 t Tb", full="90", first="45")),
    # Brazil: separated outside China only from 2028 (SERRA_CHINA)
    (SERRA, NDPR, 1, [0, 0, 1_000], times(1.05), None, SERRA_CHINA,
     "5,000 t/yr REO x ~20 % NdPr, from 2028 (Chinese contracts end in 2026; a year to "
     "arrange separation elsewhere, assumed); price incl. tolling" + NON_CHINA.format(pct=5)),
    (SERRA, NDPR, 2, [0, 0, 300], times(1.10), None, SERRA_CHINA,
     "The rise to 6,500 t/yr REO x ~20 %; price assumed China's + 10 %"),
    (SERRA, DY, 1, [0, 0, 60], 310_000, None, SERRA_CHINA,
     "5,000 t/yr REO x ~1.2 % Dy2O3, from 2028; price assumed 310 USD/kg"),
    (SERRA, TB, 1, [0, 0, 12], 1_300_000, None, SERRA_CHINA,
     "5,000 t/yr REO x ~0.24 % Tb4O7, from 2028; price assumed 1,300 USD/kg"),
    # Recycling: capacity from the scrap tonnages above
    (EU_REC, NDPR, 1, recycled(EU_SCRAP, NDPR), times(1.10), None, CRMA_RECYCLING,
     "Magnet scrap processed assumed 1,000 t (2026) -> 7,000 t (2035) x 26 % NdPr x 1.166 "
     "oxide/metal x 90 % recovery; price assumed China's + 10 %"),
    (EU_REC, DY, 1, recycled(EU_SCRAP, DY), 380_000, None, CRMA_RECYCLING,
     "Scrap as for NdPr x 1.2 % Dy x 1.148 x 90 %; price assumed 380 USD/kg"),
    (EU_REC, TB, 1, recycled(EU_SCRAP, TB), 1_500_000, None, CRMA_RECYCLING,
     "Scrap as for NdPr x 0.3 % Tb x 1.176 x 90 %; price assumed 1,500 USD/kg"),
    (JP_REC, NDPR, 1, recycled(JP_SCRAP, NDPR), times(1.05), None, ASSUMPTION,
     "Magnet scrap (mostly swarf) assumed 2,200 t (2026) -> 4,000 t (2035) x 26 % NdPr x "
     "1.166 x 90 %: about a third of the swarf of Japan's alloy input (CJC: 35 % of the "
     "input ends as swarf, mostly returned; much exported), counted as supply because "
     "Japan's demand is gross alloy input; price assumed China's + 5 %"),
    (JP_REC, DY, 1, recycled(JP_SCRAP, DY), 360_000, None, ASSUMPTION,
     "Scrap as for NdPr x 1.2 % Dy x 1.148 x 90 %; price assumed 360 USD/kg"),
    (JP_REC, TB, 1, recycled(JP_SCRAP, TB), 1_450_000, None, ASSUMPTION,
     "Scrap as for NdPr x 0.3 % Tb x 1.176 x 90 %; price assumed 1,450 USD/kg"),
]

# Magnets bought finished: China's at the content of the magnet at China prices plus a
# conversion margin; non-Chinese ones at the premiums Reuters reports (EX_CHINA_PREMIUM)
MAGNET_NOTE = (f"Price: content at China prices (0.30 t NdPr metal x {METAL_PRICE:,} + 0.013 t "
               f"Dy oxide x 239,000 + 0.0035 t Tb oxide x 1,010,000) plus {CONVERSION:,} of "
               f"conversion = {CHINA_MAGNET_PRICE:,} USD/t")


def magnet_price(factor: float = 1.0, plus: float = 0.0) -> int:
    return int(round(CHINA_MAGNET_PRICE * factor + plus, -3))


SUPPLY += [
    (CHINA_METAL, METAL, 1, 2_000, METAL_PRICE, None, FASTMARKETS_METAL,
     "Price: China's oxide price x 1.24, Fastmarkets' metal/oxide ratio (67/54), rounded; "
     "capacity assumed: about what goes to Japanese and European alloy makers today"),
    (CHINA_METAL, METAL, 2, 3_000, int(round(METAL_PRICE * 1.10, -3)), None, FASTMARKETS_METAL,
     "More metal on new contracts, +10 % (assumed)"),
    (CHINA_MAG, MAGNET, 1, 17_000, CHINA_MAGNET_PRICE, None, CHINA_MAGNETS_EU,
     "Tier 1 = what China ships the EU today: 17,000 t in 2024 (European Court of "
     "Auditors), 8,360 t in H1 2025 (about 10,800 t in H1 2024, so the range is 17,000-"
     "21,600 t a year). " + MAGNET_NOTE),
    (CHINA_MAG, MAGNET, 2, 5_000, magnet_price(1.10), None, CHINA_MAGNETS_EU,
     "Tier 2 = more on new contracts, +10 % (assumed)"),
    (CHINA_MAG, MAGNET, 3, 8_000, magnet_price(1.25), None, CHINA_MAGNETS_EU,
     "Tier 3 = more still, +25 % (assumed); China exports about 58,000 t a year in all"),
    (JP_MAG, MAGNET, 1, 1_500, magnet_price(plus=20_000), None, EX_CHINA_PREMIUM,
     "Capacity assumed: what Japanese makers sell to the EU beside their home market; "
     "price = the Chinese magnet + 20 USD/kg, mid-range of the 10-30 USD/kg premium"),
    (VN_MAG, MAGNET, 1, 1_000, magnet_price(1.175), None, SHIN_ETSU_VN,
     "Capacity assumed: about half of the 2,200 t/yr plant; price = the Chinese magnet "
     "+ 17.5 %, mid-range of the 15-20 % premium for Vietnam-made magnets "
     "(Reuters, Jul 2025)"),
    (STAR_MAG, MAGNET, 1, 2_000, magnet_price(1.175), None, STAR_GROUP_VN,
     "Capacity assumed: half of the 4,000 t/yr plant open to the coalition (its owners "
     "supply Korean buyers); price as Shin-Etsu Vietnam's"),
    (KR_MAG, MAGNET, 1, [500, 1_000], magnet_price(1.22), None, KOREA_MAGNETS,
     "Capacity assumed: half of Seonglim's 1,000 t/yr and of SEONG-AN's planned 1,000 t/yr "
     "(from 2027) open to the coalition; price = the Chinese magnet + 22 %, a little above "
     "the Vietnam premium (Reuters, Jul 2025)"),
    (MY_MAG, MAGNET, 1, [0, 0, 0, 1_500], magnet_price(plus=12_000), None, LYNAS_JSLINK,
     "Planned (non-binding MoU): from 2029, assumed; half of 3,000 t/yr open to the "
     "coalition; price = the Chinese magnet + 12 USD/kg (assumed, the low end of Neo's "
     "10-30 USD/kg premium plus freight savings from Lynas's own NdPr)"),
    (VN_METAL, METAL, 1, [144, 144, 720], int(round(METAL_PRICE * 1.15, -3)), None,
     SEONG_AN_METAL, "Capacity: 144 t/yr, 720 t from 2028 assumed; price = China's metal + "
     "15 %, the premium for Vietnam-made magnets (Reuters, Jul 2025) taken for metal "
     "(assumed)"),
]

# --------------------------------------------------------------------------- Processing
# facility, country, output, {input: t per t of output}, capacity (a number, or a list
# from 2026 on), fee USD/t of output, source, note
NARVA, NARVA_2, LCM = "Neo Narva", "Neo Narva phase 2", "Less Common Metals"
NARVA_DEAL = "narva-phase-2"
PROCESSING = [
    (NARVA, "Estonia", MAGNET, MAGNET_RECIPE, [500, 2_000], 25_000, NEO_NARVA,
     "Capacity: 2,000 t/yr phase 1, 500 t in the ramp-up year 2026 (assumed). Recipe "
     "(Heim & Vander Wal 2023): 0.30 t NdPr metal, Dy and Tb as in the Demand notes (1.0 % and "
     "0.25 % of the magnet, as oxide x 1.148 / 1.176 x 1.15 for losses). Fee assumed "
     "25 USD/kg: China's 13 USD/kg conversion plus 12 USD/kg, inside the 10-30 USD/kg "
     "premium Neo's customers pay (Reuters, Jul 2025)"),
    (NARVA_2, "Estonia", MAGNET, MAGNET_RECIPE, [0, 0, 3_000], 25_000, NARVA_PHASE2,
     "The phase 2 expansion from 2,000 to 5,000 t/yr, under deal narva-phase-2: 3,000 t/yr "
     "from 2028 (assumed: two years to build); recipe and fee as phase 1"),
    (LCM, "United Kingdom", METAL, {NDPR: 1.20}, [110, 110, 330], 10_000, LCM_METAL,
     "Capacity: 2 cells x 55 t/yr, 6 cells (330 t) assumed from 2028. Recipe: 1.177 t "
     "NdPr oxide per t of metal by stoichiometry (75:25), 1.20 with losses (assumed). Fee "
     "assumed 10 USD/kg, mid-range of 5-15 USD/kg (China's metal-oxide spread is about "
     "3.5 USD/kg: 67 - 1.177 x 54, Fastmarkets, Apr 2024)"),
]

# --------------------------------------------------------------------------- Demand
# buyer, material: 2026 demand (t oxide), growth a year, source, note
JAPAN_NOTE = ("Assumption: Japan's magnet makers' gross alloy input taken as 18,000 t NdFeB "
              "a year (Japan used 5,200 t Nd and 600 t Dy metal in 2010, CJC/JEMAI; JARE "
              "alone now buys 5,000 t NdPr a year); gross, so swarf returned to alloy makers "
              "is supply (Japan magnet recyclers); x {content} x {ratio} oxide/metal = "
              "{base} t in 2026, growing 3 %/yr")
EU_NOTE = ("Assumption: the 2,000 t of ECA's 20,000 t of magnets used by EU industry that "
           "EU magnet makers (VAC) make from oxide, x {content} x {ratio} oxide/metal = "
           "{base} t in 2026, growing 5 %/yr; the other 18,000 t are bought finished (the "
           "NdFeB magnet row)")
EU_MAGNET_NOTE = ("ECA: 20,000 t of magnets used by EU industry in 2024, 17,000 t from "
                  "China; 18,000 t assumed bought finished (China's 17,000 and 1,000 from "
                  "Japan and others; EC_MAGNETS: 98 % of demand met from China), the other "
                  "2,000 t made in the EU from oxide (the oxide rows); growing 5 %/yr")
DEMAND = [
    ("Japan", NDPR, 5_500, 0.03, CJC_JAPAN,
     JAPAN_NOTE.format(content="26 % NdPr", ratio="1.166", base="5,500")),
    ("Japan", DY, 290, 0.03, CJC_JAPAN,
     JAPAN_NOTE.format(content="1.4 % Dy (EV grades)", ratio="1.148", base="290")),
    ("Japan", TB, 64, 0.03, CJC_JAPAN,
     JAPAN_NOTE.format(content="0.3 % Tb", ratio="1.176", base="64")),
    ("EU", NDPR, 610, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="26 % NdPr", ratio="1.166", base="610")),
    ("EU", DY, 23, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="1.0 % Dy", ratio="1.148", base="23")),
    ("EU", TB, 6, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="0.25 % Tb", ratio="1.176", base="6")),
    ("EU", MAGNET, 18_000, 0.05, ECA_MAGNETS, EU_MAGNET_NOTE),
]


def demand(base: float, growth: float, period: int) -> int:
    return round(base * (1 + growth) ** (period - FIRST))


# --------------------------------------------------------------------------- Routes
# freight USD/t all-in (sea freight, insurance, handling), assumed; tariffs 0 (see note)
FREIGHT = {  # supplier: (to Japan, to EU)
    CHINA: (800, 1_500), CHINA_MM: (800, 1_500), LYNAS: (1_000, 1_500),
    MP: (1_500, 1_500), SILMET: (1_800, 300), SOLVAY: (1_800, 300), CAREMAG: (1_800, 300),
    SERRA: (2_000, 1_500), EU_REC: (1_800, 200), JP_REC: (200, 1_800),
    CHINA_METAL: (800, 1_500), CHINA_MAG: (800, 2_000), JP_MAG: (300, 2_500),
    VN_MAG: (800, 2_000), STAR_MAG: (800, 2_000), KR_MAG: (500, 2_000),
    MY_MAG: (1_000, 2_000), VN_METAL: (800, 1_500),
}
LEAD_TIME = {SERRA: 1}  # whole years; every other route delivers in the year of purchase
TARIFF_NOTE = ("Tariff 0: rare-earth compounds assumed to enter Japan and the EU duty-free "
               "(MFN or EPA/FTA rates; check the current schedules)")

# --------------------------------------------------------------------------- Stockpile
HOLDING_SHARE = 0.025  # storage and insurance a year, as a share of China's price
# magnets and metal may be held at a holding cost, with no floor: no public reserve target
# names them (magnet_stock)
JAPAN_DAYS = 60  # JOGMEC target
EU_DAYS = {"*": 45, 2026: 15, 2027: 30}  # build-up of a new EU reserve (assumption)
EU_INITIAL_DAYS = 15  # commercial inventories at the start (assumption)

# --------------------------------------------------------------------------- Policies
# policy, kind, target, buyer, material, share, scope, penalty, active, source, note
SOFT_CAP_PENALTY = 1_000_000  # USD/t over the cap
POLICIES = [
    ("country-cap", "max_country_share", "China", "EU", "*", 0.65, "period", None, "no", CRMA,
     "Hard cap on the EU's purchases at the oxide stage, each oxide separately, every year "
     "(the CRMA binds the EU, not Japan; strategy crma-65-both caps Japan as well); "
     "switched on by strategy crma-65. The Act's benchmark is for 2030 (ECA via S&P "
     "Global, Feb 2026): from 2026 it is stricter than the law", "oxide"),
    ("country-cap-soft", "max_country_share", "China", "EU", "*", 0.65, "period",
     SOFT_CAP_PENALTY, "no", CRMA,
     "The CRMA figure is a benchmark, not a hard law: this soft version costs 1 M USD per "
     "tonne over the cap, more than any non-Chinese premium, so it binds whenever it can "
     "and never makes a sweep infeasible; strategy crma-65-soft", "oxide"),
    ("origin-cap", "max_origin_share", "China", "EU", "*", 0.65, "period", None, "no", CRMA,
     "The same cap on the country of mining ('any relevant stage'); inactive, implied by "
     "country-cap since every China-origin supplier also refines in China", "oxide"),
    ("supplier-cap", "max_supplier_share", "*", "coalition", "*", 0.5, "period", None, "no",
     ASSUMPTION, "No single supplier above half of the coalition's purchases of an oxide; "
     "inactive, for sensitivity runs", "oxide"),
    # SPEC 3.2: "at any relevant stage of processing": the metal and the magnets a partner
    # acquires, bought (by the supplier's country) or made (by the plant's)
    ("country-cap-metal", "max_country_share", "China", "EU", "*", 0.65, "period", None, "no",
     CRMA, "The CRMA cap at the metal stage; strategy crma-65-stages", "metal"),
    ("country-cap-magnet", "max_country_share", "China", "EU", "*", 0.65, "period", None,
     "no", CRMA, "The CRMA cap at the magnet stage: magnets bought from China against all "
     "magnets bought or made; strategy crma-65-stages", "magnet"),
]

# --------------------------------------------------------------------------- Sharing
# material: (cost USD/t, max t/yr) each way between Japan and the EU, assumed
SHARING = {NDPR: (2_000, 500), DY: (5_000, 25), TB: (20_000, 6)}
SHARING_NOTE = ("Assumed: sea freight Japan-Europe plus handling and ~2 % of value for "
                "insurance; max = what a reserve manager could release a year (about 2-3 "
                "weeks of the receiving partner's use)")

# Offers reserved to Japan (Supply `buyers`): the Lynas priority tranches agreed with
# JARE/Sojitz (LYNAS_JAPAN_NDPR, LYNAS_JAPAN_HRE); the EU reaches them only through Sharing
JAPAN_ONLY = {(LYNAS, NDPR, 1), (LYNAS, DY, 1), (LYNAS, TB, 1)}
DEAL_OF = {(CAREMAG, DY, 1): CAREMAG_DEAL, (CAREMAG, TB, 1): CAREMAG_DEAL}
PLANT_DEAL = {NARVA_2: NARVA_DEAL}  # facility: the deal that finances it

# --------------------------------------------------------------------------- Discounts
# supplier, material, basis, type, [(from_quantity t/yr, price USD/t)], source, note
DISCOUNTS = [
    (SILMET, NDPR, "period", "all-units", [(300, times(1.02)), (500, times(0.99))], ASSUMPTION,
     "Assumed price list for a yearly contract volume: China's + 5 % below 300 t, + 2 % "
     "from 300 t, - 1 % from 500 t on every tonne of the year (all-units). Either partner's "
     "own share of Silmet's 600 t reaches at most the first break; pooled volume the second"),
]

# --------------------------------------------------------------------------- Deals
# deal, supplier, upfront_cost, fixed_cost, signable_by, description, source, note
DEALS = [
    (CAREMAG_DEAL, CAREMAG, CAREMAG_UPFRONT, 0, None,
     "Equity and prepayment for Caremag's Lacq separation and recycling plant against "
     "term contracts for its Dy and Tb", CAREMAG_JOGMEC,
     "Upfront = JOGMEC/Iwatani's EUR 110 mn (USD 120 mn), paid in 2027, the first year of "
     "deliveries; France's EUR 106 mn grant is public money outside the buyers' cost. "
     "Signable by either partner alone or by both; see the Supply notes for volumes"),
    (NARVA_DEAL, NARVA_2, NARVA_UPFRONT, 0, None,
     "Co-financing Neo's phase 2 at Narva (2,000 to 5,000 t/yr of magnets) against the "
     "right to its capacity", NARVA_PHASE2,
     "Upfront assumed: phase 1's EUR 75 m for 2,000 t/yr scaled to 3,000 t/yr, EUR 112 m, "
     "about USD 120 m, paid in 2028, its first year. Signable by either partner or both"),
]

# --------------------------------------------------------------------------- Strategies
# strategy, sheet, where, column, value, note
STRATEGIES = [
    ("joint", "Settings", None, "coordination", "joint",
     "Same as base, explicit: one plan for both partners, capacity pooled, stock shared"),
    ("pro-rata", "Settings", None, "coordination", "pro-rata",
     "Each partner alone on its demand-weighted share of every offer"),
    ("sequential", "Settings", None, "coordination", "sequential",
     "Japan plans first, the EU buys what is left"),
    ("crma-65", "Policies", "policy=country-cap", "active", "yes",
     "CRMA 65 % single-country benchmark as a hard rule"),
    ("crma-65-soft", "Policies", "policy=country-cap-soft", "active", "yes",
     "CRMA benchmark as a soft rule (penalty per tonne over the cap)"),
    ("stock-90d", "Stockpile", f"material={NDPR}", "min_days", 90,
     "90 days of cover for both partners and every oxide from 2026 (the reserve holds "
     "oxides; magnets and metal keep no floor)"),
    ("stock-90d", "Stockpile", f"material={DY}", "min_days", 90, ""),
    ("stock-90d", "Stockpile", f"material={TB}", "min_days", 90, ""),
    ("no-new-china", "Suppliers", "country=China", "active", "no",
     "No new Chinese contracts (both Chinese suppliers); demand not met runs short at the "
     "shortage penalty"),
    ("robust", "Settings", None, "robust", "expected",
     "Minimise expected cost over the Disruptions sheet"),
    ("crma-65-robust", "Policies", "policy=country-cap", "active", "yes",
     "CRMA cap and robust planning together"),
    ("crma-65-robust", "Settings", None, "robust", "expected", ""),
    ("crma-65-alone", "Policies", "policy=country-cap", "active", "yes",
     "The CRMA cap with each partner planning alone on its pro-rata share: against "
     "crma-65, the value of planning together when diversifying (scenarios/README.md)"),
    ("crma-65-alone", "Settings", None, "coordination", "pro-rata", ""),
    ("crma-65-stages", "Policies", "policy=country-cap", "active", "yes",
     "The CRMA cap at the oxide, metal and magnet stages together (SPEC 3.2)"),
    ("crma-65-stages", "Policies", "policy=country-cap-metal", "active", "yes", ""),
    ("crma-65-stages", "Policies", "policy=country-cap-magnet", "active", "yes", ""),
    ("crma-65-both", "Policies", "policy=country-cap", "active", "yes",
     "The CRMA oxide cap on Japan too, each partner separately: a policy sensitivity (Japan "
     "has no such numeric cap)"),
    ("crma-65-both", "Policies", "policy=country-cap", "buyer", "*", ""),
    ("ndpr-69", "Supply", f"supplier={CHINA}; material={NDPR}; tier=1", "price", 69_000,
     "China's NdPr at the USGS 2025e average (69 USD/kg) instead of the Feb 2026 level, "
     "every other price unchanged: the low end of China's price, where diversifying costs "
     "most"),
    ("ndpr-69", "Supply", f"supplier={CHINA}; material={NDPR}; tier=2", "price", 79_000, ""),
    ("ndpr-69", "Supply", f"supplier={CHINA}; material={NDPR}; tier=3", "price", 97_000, ""),
]

# --------------------------------------------------------------------------- Disruptions
# scenario, probability, supplier, country, material, start, end, capacity_factor,
# price_factor, source, note[, buyer: the partner a row is aimed at]
# Where a Chinese cut sends buyers: every other supplier's country (a row by `country`
# also matches an origin, so Lynas is hit once, through Malaysia)
OUTSIDE_CHINA = sorted({c for _, c, _, _, _, _ in SUPPLIERS if c != "China"})


def outside_china(scenario: str, probability: float, material: str, start: int, end: int,
                  price_factor: float, note: str, buyer: str | None = None) -> list[tuple]:
    """Prices outside China rise when China cuts: what is left there is bought at a premium
    (SPEC 5: the price factor applies to spot purchases); their capacity is unchanged."""
    return [(scenario, probability, None, country, material, start, end, 1.0, price_factor,
             BENCHMARK_JUL_2025, note, buyer) for country in OUTSIDE_CHINA]


HRE_SPIKE = ("Outside China, Dy and Tb spot prices x2 (Europe's rose x3 in 2025 on few "
             "trades, Benchmark, Jul 2025; assumed)")
EMBARGO_SPIKE = "Outside China every spot price x2 (assumed; x3 for Chinese material)"
DISRUPTIONS = [
    ("china-hree-export-controls", 0.15, None, "China", DY, 2027, 2028, 0.1, 3.0,
     LICENSING_2025, "Licences beyond today's regime withheld for two years: 10 % of "
     "Chinese Dy (incl. Myanmar ore) still licensed, as in May 2025 (zero Dy and Tb "
     "exported) and for Japan's Dy over 2025 (-95 %); price x3, Europe's premium over China "
     "in 2025"),
    ("china-hree-export-controls", 0.15, None, "China", TB, 2027, 2028, 0.1, 3.0,
     LICENSING_2025, "As for Dy (Europe's Tb premium x3.5)"),
    *outside_china("china-hree-export-controls", 0.15, DY, 2027, 2028, 2.0, HRE_SPIKE),
    *outside_china("china-hree-export-controls", 0.15, TB, 2027, 2028, 2.0, HRE_SPIKE),
    ("china-magnet-controls", 0.15, None, "China", MAGNET, 2027, 2027, 0.85, 1.3,
     CHINA_MAGNETS_EU, "China's October 2025 measures (magnets and their content, "
     "suspended until 10 Nov 2026) back in force for a year: 15 % fewer magnets shipped "
     "(2025: -74 % in May, -0.6 % over the year), price x1.3 (assumed)"),
    *outside_china("china-magnet-controls", 0.15, MAGNET, 2027, 2027, 1.3,
                   "Magnets made outside China dearer by as much (assumed)"),
    ("myanmar-outage", 0.10, None, "Myanmar", "*", 2028, 2029, 0.2, 1.5, USGS_BURMA,
     "Conflict in Myanmar's Kachin mining areas stops most ore shipments to China "
     "(output already fell 27,000 -> 22,000 t in 2025); hits the Myanmar-ore Chinese "
     "supplier through its origin; price factor assumed"),
    ("lynas-outage", 0.05, LYNAS, None, "*", 2029, 2029, 0.3, 1.2, LYNAS_CAPACITY,
     "One year at 30 % in Malaysia (licence dispute or plant failure); factors assumed"),
    ("china-embargo", 0.03, None, "China", "*", 2030, 2030, 0.2, 3.0, SMM_APR_2025,
     "One-year halt of most Chinese exports of every material; factors assumed, price by "
     "analogy with April 2025"),
    *outside_china("china-embargo", 0.03, "*", 2030, 2030, 2.0, EMBARGO_SPIKE),
    ("china-embargo-on-japan", 0.10, None, "China", "*", 2031, 2031, 0.2, 3.0, JAPAN_BAN_2026,
     "Chinese exports to Japan alone held for a year, as for two months in Sep-Nov 2010 "
     "(Global Trade Alert) and in the dual-use ban of January 2026 (reviews for Japanese industry "
     "reported halted); 20 % still shipped; Japan's spot price x3 as in April 2025; the EU's "
     "Chinese supply untouched, so the EU may pass stock on through Sharing; probability "
     "0.10 (assumed, raised from 0.05 after January 2026)", "Japan"),
    *outside_china("china-embargo-on-japan", 0.10, "*", 2031, 2031, 1.5,
                   "Japan bidding for what is left outside China pays x1.5 (assumed)",
                   "Japan"),
]


# --------------------------------------------------------------------------- writing
def header(sheet: str, middle: list[Any] | None = None) -> list[Any]:
    """The sheet's columns as the schema declares them, then source and note.

    ``middle`` replaces ``period`` and the value column by period labels (wide layout).
    """
    spec = SHEET_BY_NAME[sheet]
    names: list[Any] = list(spec.column_names)
    if middle is not None:
        names = [n for n in names if n not in ("period", spec.wide_value)] + middle
    return names + [c.name for c in ANNOTATIONS]


def rows_for(columns: list[Any], records: list[dict[Any, Any]]) -> list[list[Any]]:
    """Order each record's values as ``columns``; a key that is not a column is a bug."""
    out = []
    for rec in records:
        unknown = set(rec) - set(columns)
        if unknown:
            raise KeyError(f"not a column of this sheet: {sorted(map(str, unknown))}")
        out.append([None if rec.get(c) == "" else rec.get(c) for c in columns])
    return out


def supply_records(rows: list[tuple] | None = None, periods: list[Any] | None = None,
                   japan_only: set[tuple] | None = None,
                   deal_of: dict[tuple, str] | None = None) -> list[dict[str, Any]]:
    """The Supply rows of ``rows`` (default: this scenario's), a list-valued capacity or
    minimum offtake spread over ``periods`` from the first on; the crisis scenario passes
    its quarterly tables."""
    rows = SUPPLY if rows is None else rows
    periods = PERIODS if periods is None else periods
    japan_only = JAPAN_ONLY if japan_only is None else japan_only
    deal_of = DEAL_OF if deal_of is None else deal_of

    def spread(values: list[float]) -> dict[Any, float]:
        return {t: values[min(i, len(values) - 1)] for i, t in enumerate(periods)}

    out = []
    for supplier, material, tier, capacity, price, min_offtake, source, note in rows:
        key = (supplier, material, tier)
        common = {"supplier": supplier, "material": material, "price": price, "tier": tier,
                  "min_offtake": min_offtake, "source": source, "note": note,
                  "buyers": "Japan" if key in japan_only else None,
                  "deal": deal_of.get(key)}
        if isinstance(capacity, list):
            least = spread(min_offtake) if isinstance(min_offtake, list) else {}
            for t, cap in spread(capacity).items():
                if cap:  # no row before an offer starts
                    out.append({**common, "period": t, "capacity": cap,
                                **({"min_offtake": least[t]} if least else {})})
        else:
            out.append({**common, "period": "*", "capacity": capacity})
    return out


def processing_records() -> list[dict[str, Any]]:
    """One row per facility, output, input and period (SPEC 4.17): the recipe's rows
    repeat its capacity and fee."""
    out = []
    for facility, country, output, recipe, capacity, fee, source, note in PROCESSING:
        periods = per_period(capacity) if isinstance(capacity, list) else {"*": capacity}
        for t, cap in periods.items():
            if not cap:
                continue  # not built yet: no row, so a co-financed plant's term starts later
            for material, per_unit in recipe.items():
                out.append({"facility": facility, "country": country, "output": output,
                            "input": material, "input_per_output": per_unit,
                            "capacity": cap, "fee": fee, "lead_time": 0, "period": t,
                            "deal": PLANT_DEAL.get(facility), "source": source, "note": note})
    return out


def hundreds(value: float) -> int:
    """Rounded to 100, halves up (Python's round takes halves to even: 25,250 -> 25,200)."""
    return int(math.floor(value / 100 + 0.5) * 100)


def stockpile_records() -> list[dict[str, Any]]:
    out = []
    for buyer, material, base, _, _, _ in DEMAND:
        if material == MAGNET:
            out.append(magnet_stock(buyer, base))
            continue
        holding = hundreds(HOLDING_SHARE * CHINA_PRICE[material])
        held = (f"Holding {HOLDING_SHARE:.1%} of China's price a year (storage, "
                "insurance; capital cost is in the discount rate)")
        if buyer == "Japan":
            out.append({
                "buyer": buyer, "material": material, "period": "*",
                "initial": math.ceil(JAPAN_DAYS * base / DAYS), "min_days": JAPAN_DAYS,
                "holding_cost": holding, "source": JOGMEC,
                "note": f"Initial stock assumed at the 60-day target for 2026 demand. {held}"})
            continue
        for period, days in EU_DAYS.items():
            rec = {"buyer": buyer, "material": material, "period": period, "min_days": days,
                   "source": ASSUMPTION}
            if period == "*":
                rec.update(initial=math.ceil(EU_INITIAL_DAYS * base / DAYS),
                           holding_cost=holding,
                           note=f"Assumption: no EU strategic reserve yet; initial = "
                           f"{EU_INITIAL_DAYS} days of 2026 demand (commercial stocks); "
                           f"floor built up 15 -> 30 -> 45 days (2026, 2027, 2028+). {held}")
            else:
                rec["note"] = f"Build-up year {period}: {days} days"
            out.append(rec)
    # Whatever a partner may buy it may hold, at a cost: without one, stock bought in the
    # last year for its closing credit (the lowest landed price, SPEC 3.1) would cost
    # nothing net, and a plan could hold any amount of it for no reason
    held = {(r["buyer"], r["material"]) for r in out}
    for buyer in BUYER_NAMES:
        for material, price in ((METAL, METAL_PRICE), (MAGNET, CHINA_MAGNET_PRICE)):
            if (buyer, material) not in held:
                out.append({"buyer": buyer, "material": material, "period": "*",
                            "initial": 0, "min_days": 0,
                            "holding_cost": hundreds(HOLDING_SHARE * price),
                            "source": ASSUMPTION, "note": "No floor and no stock at the "
                            "start (none is needed: no demand here, or metal held only on "
                            "its way to a magnet plant). Holding 2.5 % of China's price a "
                            "year, as for the oxides"})
    return out


def magnet_stock(buyer: str, base: float) -> dict[str, Any]:
    """Magnets may be held (makers and users keep weeks of them), at a holding cost, but
    no public reserve target exists for them: no floor."""
    return {"buyer": buyer, "material": MAGNET, "period": "*",
            "initial": math.ceil(EU_INITIAL_DAYS * base / DAYS), "min_days": 0,
            "holding_cost": hundreds(HOLDING_SHARE * CHINA_MAGNET_PRICE),
            "source": ASSUMPTION,
            "note": f"Assumption: initial = {EU_INITIAL_DAYS} days of 2026 demand (users' "
            "and distributors' stocks); no floor (no public reserve target for magnets); "
            "holding 2.5 % of the Chinese magnet price a year, as for the oxides"}


# the columns of the tables typed above as tuples, in tuple order (the Disruptions tuple's
# last field, buyer, is optional)
TUPLE_COLUMNS = {
    "Deals": ("deal", "supplier", "upfront_cost", "fixed_cost", "signable_by", "description",
              "source", "note"),
    "Policies": ("policy", "kind", "target", "buyer", "material", "share", "scope", "penalty",
                 "active", "source", "note", "stage"),
    "Strategies": ("strategy", "sheet", "where", "column", "value", "note"),
    "Disruptions": ("scenario", "probability", "supplier", "country", "material", "start",
                    "end", "capacity_factor", "price_factor", "source", "note", "buyer"),
}


def table(sheet: str, rows: list[tuple]) -> tuple[list[Any], list[dict[Any, Any]]]:
    """A sheet typed as tuples: its header and one record per tuple."""
    columns = TUPLE_COLUMNS[sheet]
    optional = sheet == "Disruptions"
    return header(sheet), [dict(zip(columns, r, strict=not optional)) for r in rows]


def records() -> dict[str, tuple[list[Any], list[dict[Any, Any]]]]:
    """Every sheet in workbook order: (header, records)."""
    sheets: dict[str, tuple[list[Any], list[dict[Any, Any]]]] = {}
    sheets["Settings"] = (header("Settings"), [
        {"setting": s, "value": v, "source": src, "note": note}
        for s, v, src, note in SETTINGS])
    sheets["Periods"] = (header("Periods"), [
        {"period": t, "days": DAYS, "note": "Calendar year"} for t in PERIODS])
    sheets["Stages"] = (header("Stages"), [
        {"stage": st, "note": "Processing runs in this order"} for st in STAGES])
    sheets["Materials"] = (header("Materials"), [
        {"material": m, "description": d, "stage": st, "shortage_penalty": penalty,
         "source": src, "note": note} for m, d, st, penalty, src, note in MATERIALS])
    sheets["Buyers"] = (header("Buyers"), [
        {"buyer": b, "description": d} for b, d in BUYERS])
    sheets["Suppliers"] = (header("Suppliers"), [
        {"supplier": s, "country": c, "origin": o, "active": "yes", "description": d,
         "source": src, "note": note} for s, c, o, d, src, note in SUPPLIERS])
    sheets["Deals"] = table("Deals", DEALS)
    sheets["Supply"] = (header("Supply"), supply_records())
    sheets["Discounts"] = (header("Discounts"), [
        {"supplier": sup, "material": mat, "period": "*", "basis": basis, "type": kind,
         "from_quantity": q, "price": price, "source": src, "note": note}
        for sup, mat, basis, kind, breaks, src, note in DISCOUNTS for q, price in breaks])
    wide = header("Demand", middle=list(PERIODS))
    sheets["Demand"] = (wide, [
        {"buyer": b, "material": m, **{t: demand(base, g, t) for t in PERIODS},
         "source": src, "note": note} for b, m, base, g, src, note in DEMAND])
    sheets["Processing"] = (header("Processing"), processing_records())
    sheets["Routes"] = (header("Routes"), [
        {"supplier": s, "buyer": b, "freight": FREIGHT[s][i], "tariff": 0,
         "lead_time": LEAD_TIME.get(s, 0), "open": "yes", "source": ASSUMPTION,
         "note": "Freight all-in (sea freight, insurance, handling), assumed. " + TARIFF_NOTE
         + (". Lead time 1: concentrate toll-separated before delivery"
            if LEAD_TIME.get(s) else "")}
        for s in FREIGHT for i, b in enumerate(BUYER_NAMES)])
    sheets["Stockpile"] = (header("Stockpile"), stockpile_records())
    sheets["Policies"] = table("Policies", POLICIES)
    sheets["Sharing"] = (header("Sharing"), [
        {"from": a, "to": b, "material": m, "cost": cost, "max": most, "source": ASSUMPTION,
         "note": SHARING_NOTE}
        for a, b in (("Japan", "EU"), ("EU", "Japan")) for m, (cost, most) in SHARING.items()])
    sheets["Strategies"] = table("Strategies", STRATEGIES)
    sheets["Disruptions"] = table("Disruptions", DISRUPTIONS)
    return sheets


def write(path: Path, sheets: dict[str, tuple[list[Any], list[dict[Any, Any]]]]) -> Path:
    """Every sheet to ``path``, whole or not at all."""
    with atomic_workbook(path) as wb:
        for name, (columns, recs) in sheets.items():
            write_table(wb, name, [str(c) for c in columns], rows_for(columns, recs))
    return path


def build(path: Path = OUTPUT) -> Path:
    return write(path, records())


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"wrote {target}")
