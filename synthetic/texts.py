"""What monitors write, in English and Arabic: titles and narratives by category, and their parts.

Templates take {place}, {n} (a count), {perp} (who did it); the generator adds
sentences about the family, a landmark and the context, each with some
probability, so that two accounts of one event share some of its details and
two events in one village share little but the village.
"""

from __future__ import annotations

TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "killing": {
        "en": ("{n} civilians killed in {place}", "Killings in {place}", "{n} people shot dead in {place}"),
        "ar": ("مقتل {n} مدنيين في {place}", "مجزرة في {place}", "سقوط {n} قتلى في {place}"),
    },
    "execution": {
        "en": ("Field executions in {place}", "{n} men executed in {place}", "Summary executions reported in {place}"),
        "ar": ("إعدامات ميدانية في {place}", "إعدام {n} رجال في {place}", "تصفية {n} أشخاص في {place}"),
    },
    "injury": {
        "en": ("{n} wounded in {place}", "Civilians injured in {place}"),
        "ar": ("إصابة {n} مدنيين في {place}", "جرحى في {place}"),
    },
    "looting": {
        "en": ("Homes looted in {place}", "Looting of houses in {place}", "Shops robbed in {place}"),
        "ar": ("نهب منازل في {place}", "سرقة محلات في {place}", "عمليات نهب في {place}"),
    },
    "arson": {
        "en": ("Houses burned in {place}", "Arson attack in {place}", "Homes set on fire in {place}"),
        "ar": ("حرق منازل في {place}", "إحراق بيوت في {place}", "إضرام النار بمنازل في {place}"),
    },
    "property_destruction": {
        "en": ("Houses destroyed in {place}", "Property wrecked in {place}"),
        "ar": ("تدمير منازل في {place}", "تخريب ممتلكات في {place}"),
    },
    "armed_clash": {
        "en": ("Clashes in {place}", "Fighting around {place}", "Armed clashes near {place}"),
        "ar": ("اشتباكات في {place}", "معارك قرب {place}", "اشتباكات مسلحة في محيط {place}"),
    },
    "ambush": {
        "en": ("Patrol ambushed near {place}", "Ambush on security convoy at {place}"),
        "ar": ("كمين لدورية قرب {place}", "استهداف رتل أمني في {place}"),
    },
    "abduction": {
        "en": ("{n} people abducted in {place}", "Abductions reported in {place}"),
        "ar": ("خطف {n} أشخاص في {place}", "حالات اختطاف في {place}"),
    },
    "arbitrary_detention": {
        "en": ("Arrests in {place}", "{n} men detained in {place}"),
        "ar": ("اعتقالات في {place}", "اعتقال {n} شبان في {place}"),
    },
    "electricity_outage": {
        "en": ("Electricity cut in {place}", "Power outage in {place}", "No power in {place}"),
        "ar": ("انقطاع الكهرباء عن {place}", "انقطاع التيار الكهربائي في {place}"),
    },
    "water_outage": {
        "en": ("Water cut in {place}", "No drinking water in {place}"),
        "ar": ("انقطاع المياه عن {place}", "توقف ضخ مياه الشرب في {place}"),
    },
    "telecom_outage": {
        "en": ("Phone and internet down in {place}", "Telecoms cut in {place}"),
        "ar": ("انقطاع الاتصالات في {place}", "انقطاع الإنترنت والهاتف عن {place}"),
    },
    "displacement": {
        "en": ("Families flee {place}", "Displacement from {place}"),
        "ar": ("نزوح عائلات من {place}", "نزوح الأهالي من {place}"),
    },
    "shelling": {
        "en": ("Shelling on {place}", "Explosion in {place}"),
        "ar": ("قصف على {place}", "انفجار في {place}"),
    },
}

LEADS: dict[str, dict[str, tuple[str, ...]]] = {
    "killing": {
        "en": (
            "Gunmen ({perp}) entered {place} and opened fire on residents.",
            "Residents of {place} say {perp} shot people in their homes.",
            "A monitor in {place} reports killings by {perp}.",
        ),
        "ar": (
            "دخل مسلحون ({perp}) إلى {place} وأطلقوا النار على الأهالي.",
            "يقول أهالي {place} إن {perp} أطلقوا النار على السكان داخل منازلهم.",
            "أفاد مراقب في {place} بعمليات قتل نفذها {perp}.",
        ),
    },
    "execution": {
        "en": (
            "Men were taken from their homes in {place} and executed by {perp}.",
            "Witnesses in {place} describe {perp} lining up men and shooting them.",
        ),
        "ar": (
            "اقتاد {perp} رجالاً من منازلهم في {place} وأعدموهم ميدانياً.",
            "يروي شهود في {place} أن {perp} جمعوا الرجال وأطلقوا النار عليهم.",
        ),
    },
    "injury": {
        "en": ("People were wounded by gunfire in {place}; {perp} were blamed.",),
        "ar": ("أصيب أشخاص بإطلاق نار في {place} واتهم الأهالي {perp}.",),
    },
    "looting": {
        "en": (
            "{perp} went from house to house in {place}, taking cars, gold and furniture.",
            "Shops and homes in {place} were emptied by {perp}.",
        ),
        "ar": (
            "داهم {perp} منازل {place} وسرقوا السيارات والذهب والأثاث.",
            "أفرغ {perp} محلات ومنازل {place} من محتوياتها.",
        ),
    },
    "arson": {
        "en": ("{perp} set houses on fire in {place}.", "Homes in {place} were burned after being looted by {perp}."),
        "ar": ("أضرم {perp} النار في منازل {place}.", "أحرق {perp} بيوتاً في {place} بعد نهبها."),
    },
    "property_destruction": {
        "en": ("Houses in {place} were wrecked by {perp}.",),
        "ar": ("خرّب {perp} منازل في {place}.",),
    },
    "armed_clash": {
        "en": ("Heavy fighting between {perp} and security forces around {place}.",),
        "ar": ("اشتباكات عنيفة بين {perp} وقوات الأمن في محيط {place}.",),
    },
    "ambush": {
        "en": ("A security patrol was ambushed near {place} by {perp}.",),
        "ar": ("تعرضت دورية أمنية لكمين قرب {place} نفذه {perp}.",),
    },
    "abduction": {
        "en": ("{perp} took people from {place}; their families have no news of them.",),
        "ar": ("اقتاد {perp} أشخاصاً من {place} ولا تعرف عائلاتهم شيئاً عن مصيرهم.",),
    },
    "arbitrary_detention": {
        "en": ("{perp} arrested young men in {place} without charge.",),
        "ar": ("اعتقل {perp} شباناً في {place} دون تهمة.",),
    },
    "electricity_outage": {
        "en": ("Electricity has been cut in {place}; the substation is out of service.",),
        "ar": ("انقطعت الكهرباء عن {place} وخرجت محطة التحويل عن الخدمة.",),
    },
    "water_outage": {
        "en": ("Drinking water stopped in {place} after the pumping station lost power.",),
        "ar": ("توقف ضخ مياه الشرب في {place} بعد توقف محطة الضخ.",),
    },
    "telecom_outage": {
        "en": ("Mobile network and internet are down across {place}.",),
        "ar": ("انقطعت شبكة الخلوي والإنترنت في {place}.",),
    },
    "displacement": {
        "en": ("Families fled {place} towards the mountains and the Hmeimim base, fearing {perp}.",),
        "ar": ("نزحت عائلات من {place} نحو الجبال وقاعدة حميميم خوفاً من {perp}.",),
    },
    "shelling": {
        "en": ("Shells fell on {place}; {perp} were blamed.",),
        "ar": ("سقطت قذائف على {place} واتهم الأهالي {perp}.",),
    },
}

# The figure sentence, by the kind of figure the category carries.
FIGURE_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "killed": {
        "en": ("At least {n} people were killed.", "{n} dead, according to a relative.", "Locals count {n} bodies."),
        "ar": ("قُتل ما لا يقل عن {n} أشخاص.", "سقط {n} قتلى بحسب أحد الأقارب.", "أحصى الأهالي {n} جثث."),
    },
    "injured": {
        "en": ("{n} were wounded.", "{n} injured were taken to hospital."),
        "ar": ("أصيب {n} بجروح.", "نُقل {n} جرحى إلى المشفى."),
    },
    "abducted": {
        "en": ("{n} people are missing since.",),
        "ar": ("ما زال {n} أشخاص مفقودين.",),
    },
    "detained": {
        "en": ("{n} were detained.",),
        "ar": ("اعتُقل {n} أشخاص.",),
    },
}

FAMILY_SENTENCES = {
    "en": (
        "The victims are from the {family} family.",
        "Members of the {family} family were among them.",
        "The {family} family lost their home.",
    ),
    "ar": ("الضحايا من عائلة {family}.", "بينهم أفراد من عائلة {family}.", "خسرت عائلة {family} منزلها."),
}
LANDMARK_SENTENCES = {
    "en": ("It happened near {landmark}.", "Witnesses place it by {landmark}."),
    "ar": ("وقع ذلك قرب {landmark}.", "يحدد الشهود المكان بجانب {landmark}."),
}
CONTEXT_SENTENCES = {
    "en": (
        "Residents spoke from hiding and asked not to be named.",
        "Communications are poor and the account could not be checked.",
        "Bodies were still in the street the next morning.",
        "The source fled to the mountains with his children.",
    ),
    "ar": (
        "تحدث الأهالي من مخابئهم وطلبوا عدم ذكر أسمائهم.",
        "الاتصالات ضعيفة ولم يتسنَّ التحقق من الرواية.",
        "بقيت الجثث في الشارع حتى صباح اليوم التالي.",
        "فرّ المصدر مع أطفاله إلى الجبال.",
    ),
}
CUMULATIVE_SENTENCES = {
    "en": ("A war monitor says {n} civilians have been killed in Latakia and Tartous since Thursday.",),
    "ar": ("يقول مرصد إن {n} مدنياً قتلوا في اللاذقية وطرطوس منذ يوم الخميس.",),
}

# (English, Arabic)
FAMILIES = (
    ("Haddad", "حداد"),
    ("Ibrahim", "إبراهيم"),
    ("Suleiman", "سليمان"),
    ("Youssef", "يوسف"),
    ("Mahmoud", "محمود"),
    ("Khalil", "خليل"),
    ("Ismail", "إسماعيل"),
    ("Deeb", "ديب"),
    ("Saqr", "صقر"),
    ("Asaad", "أسعد"),
    ("Zidan", "زيدان"),
    ("Shaaban", "شعبان"),
    ("Darwish", "درويش"),
    ("Jaber", "جابر"),
    ("Murad", "مراد"),
    ("Nasser", "ناصر"),
    ("Rizk", "رزق"),
    ("Othman", "عثمان"),
    ("Barakat", "بركات"),
    ("Ghanem", "غانم"),
    ("Salloum", "سلوم"),
    ("Hamdan", "حمدان"),
    ("Kanaan", "كنعان"),
    ("Saleh", "صالح"),
    ("Abbas", "عباس"),
    ("Hilal", "هلال"),
    ("Issa", "عيسى"),
    ("Mansour", "منصور"),
    ("Khoury", "خوري"),
    ("Nakhleh", "نخلة"),
    ("Shahin", "شاهين"),
    ("Ramadan", "رمضان"),
    ("Fadel", "فاضل"),
    ("Rustom", "رستم"),
    ("Hamoud", "حمود"),
    ("Matar", "مطر"),
)

LANDMARKS = (
    ("the main square", "الساحة الرئيسية"),
    ("the bakery", "الفرن"),
    ("the school", "المدرسة"),
    ("the olive press", "معصرة الزيتون"),
    ("the petrol station", "محطة الوقود"),
    ("the health centre", "المركز الصحي"),
    ("the old market", "السوق القديم"),
    ("the cemetery", "المقبرة"),
    ("the water tank", "خزان المياه"),
    ("the municipality building", "مبنى البلدية"),
    ("the church", "الكنيسة"),
    ("the farm road", "الطريق الزراعي"),
    ("the roundabout", "الدوار"),
    ("the orchards", "البساتين"),
    ("the bridge", "الجسر"),
    ("the mill", "المطحنة"),
)

# How monitors name each party, in each language. "unknown" names nobody.
PERPETRATORS: dict[str, dict[str, tuple[str, ...]]] = {
    "government": {
        "en": (
            "General Security",
            "government forces",
            "factions affiliated with the Defence Ministry",
            "security forces",
        ),
        "ar": ("الأمن العام", "قوات الأمن", "فصائل تابعة لوزارة الدفاع", "عناصر من إدارة العمليات"),
    },
    "loyalist": {
        "en": ("pro-Assad gunmen", "remnants of the former regime", "Assad loyalists", "insurgents loyal to Assad"),
        "ar": ("فلول النظام", "مسلحون موالون للأسد", "عناصر النظام البائد", "فلول النظام السابق"),
    },
    "unknown": {
        "en": ("unknown gunmen", "masked men", "unidentified armed men"),
        "ar": ("مسلحون مجهولون", "ملثمون", "مسلحين مجهولين"),
    },
}

PLACE_FORMS = {
    "en": ("{name}", "{name}", "{name}", "near {name}", "{name} village", "{name}, {district}"),
    "ar": ("{name}", "{name}", "{name}", "قرب {name}", "قرية {name}", "{name}، {district}"),
}
TOWN_FORMS = {
    "en": ("{name}", "{name}", "{name} countryside", "outside {name}"),
    "ar": ("{name}", "{name}", "ريف {name}", "محيط {name}"),
}
