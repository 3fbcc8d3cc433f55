"""Ready-made question sets an organizer adds in one click, then edits like their own.

Their texts are data, not gettext: once added they are the organizer's content, stored per
language on the event like every other question, so they are written here in all eight
languages. Each question is in the API's shape (PRODUCT.md, "Questions").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

# The people who travel: an individual registrant, and each delegate (the contact is one of them when travelling).
TRAVELLERS = ["individual", "delegate"]
LANGS = ("en", "vi", "ko", "ja", "km", "lo", "th", "fr")


def _question(key: str, kind: str, texts: list[tuple[str, str]], asked_of=TRAVELLERS, **values: Any) -> dict[str, Any]:
    """A question in the API's shape; `texts` are (label, help) in the order of LANGS."""
    return {
        "key": key, "type": kind, "asked_of": list(asked_of), "required": values.pop("required", False),
        "sensitive": values.pop("sensitive", False),
        "labels": {lang: {"label": label, "help": help_text} for lang, (label, help_text) in zip(LANGS, texts, strict=True)},
        **values,
    }  # fmt: skip


@dataclass(frozen=True)
class QuestionSet:
    title: Any  # lazy translated
    questions: list[dict[str, Any]]


VISA_LETTER = [
    _question("passport_number", "text", [
        ("Passport number", "As printed on the passport's photo page."),
        ("Số hộ chiếu", "Ghi đúng như trên trang có ảnh của hộ chiếu."),
        ("여권 번호", "여권 사진면에 인쇄된 그대로 입력하세요."),
        ("旅券番号", "旅券の顔写真ページに記載のとおりに入力してください。"),
        ("លេខលិខិតឆ្លងដែន", "សូមសរសេរដូចដែលមាននៅលើទំព័ររូបថតនៃលិខិតឆ្លងដែន។"),
        ("ເລກໜັງສືຜ່ານແດນ", "ຂຽນຕາມທີ່ພິມຢູ່ໜ້າຮູບຖ່າຍຂອງໜັງສືຜ່ານແດນ."),
        ("หมายเลขหนังสือเดินทาง", "กรอกตามที่พิมพ์อยู่ในหน้าที่มีรูปถ่ายของหนังสือเดินทาง"),
        ("Numéro de passeport", "Tel qu'imprimé sur la page photo du passeport."),
    ], required=True, sensitive=True),
    _question("passport_expiry", "date", [
        ("Passport expiry date", "The passport should stay valid for at least six months after your arrival."),
        ("Ngày hết hạn hộ chiếu", "Hộ chiếu cần còn hạn ít nhất sáu tháng kể từ ngày bạn nhập cảnh."),
        ("여권 만료일", "여권은 입국일로부터 최소 6개월 이상 유효해야 합니다."),
        ("旅券の有効期限", "旅券は入国日から6か月以上有効である必要があります。"),
        ("កាលបរិច្ឆេទផុតកំណត់នៃលិខិតឆ្លងដែន", "លិខិតឆ្លងដែនត្រូវមានសុពលភាពយ៉ាងហោចណាស់ប្រាំមួយខែ គិតពីថ្ងៃដែលអ្នកមកដល់។"),
        ("ວັນໝົດອາຍຸຂອງໜັງສືຜ່ານແດນ", "ໜັງສືຜ່ານແດນຕ້ອງມີອາຍຸການນຳໃຊ້ຢ່າງໜ້ອຍຫົກເດືອນ ນັບແຕ່ມື້ທີ່ທ່ານເດີນທາງມາຮອດ."),
        ("วันหมดอายุหนังสือเดินทาง", "หนังสือเดินทางต้องมีอายุเหลืออย่างน้อยหกเดือนนับจากวันที่เดินทางมาถึง"),
        ("Date d'expiration du passeport", "Le passeport doit rester valable au moins six mois après votre arrivée."),
    ], required=True, sensitive=True),
    _question("date_of_birth", "date", [
        ("Date of birth", "As on the passport."),
        ("Ngày sinh", "Như ghi trong hộ chiếu."),
        ("생년월일", "여권에 기재된 대로 입력하세요."),
        ("生年月日", "旅券の記載どおりに入力してください。"),
        ("ថ្ងៃខែឆ្នាំកំណើត", "ដូចមាននៅក្នុងលិខិតឆ្លងដែន។"),
        ("ວັນເດືອນປີເກີດ", "ຕາມທີ່ລະບຸໃນໜັງສືຜ່ານແດນ."),
        ("วันเดือนปีเกิด", "ตามที่ระบุในหนังสือเดินทาง"),
        ("Date de naissance", "Telle qu'indiquée sur le passeport."),
    ], required=True, sensitive=True),
    # Asked of individuals only: each delegate row has its own nationality field already.
    _question("nationality", "country", [
        ("Nationality", "The country that issued the passport."),
        ("Quốc tịch", "Quốc gia cấp hộ chiếu."),
        ("국적", "여권을 발급한 국가입니다."),
        ("国籍", "旅券を発行した国です。"),
        ("សញ្ជាតិ", "ប្រទេសដែលបានចេញលិខិតឆ្លងដែន។"),
        ("ສັນຊາດ", "ປະເທດທີ່ອອກໜັງສືຜ່ານແດນ."),
        ("สัญชาติ", "ประเทศที่ออกหนังสือเดินทาง"),
        ("Nationalité", "Le pays qui a délivré le passeport."),
    ], asked_of=["individual"], required=True),
    _question("arrival_date", "date", [
        ("Planned arrival in Vietnam", "The date you plan to enter Vietnam; the invitation letter names it."),
        ("Ngày dự kiến nhập cảnh Việt Nam", "Ngày bạn dự định nhập cảnh Việt Nam; thư mời sẽ ghi ngày này."),
        ("베트남 입국 예정일", "베트남에 입국할 예정인 날짜로, 초청장에 기재됩니다."),
        ("ベトナム入国予定日", "ベトナムに入国する予定の日付です。招へい状に記載されます。"),
        ("កាលបរិច្ឆេទគ្រោងមកដល់វៀតណាម", "ថ្ងៃដែលអ្នកគ្រោងចូលប្រទេសវៀតណាម ដែលនឹងសរសេរក្នុងលិខិតអញ្ជើញ។"),
        ("ວັນທີຄາດວ່າຈະເຂົ້າຫວຽດນາມ", "ວັນທີທີ່ທ່ານວາງແຜນເຂົ້າປະເທດຫວຽດນາມ ເຊິ່ງຈະລະບຸໃນໜັງສືເຊີນ."),
        ("วันที่คาดว่าจะเดินทางถึงเวียดนาม", "วันที่คุณวางแผนจะเข้าประเทศเวียดนาม ซึ่งจะระบุไว้ในหนังสือเชิญ"),
        ("Arrivée prévue au Viêt Nam", "La date à laquelle vous comptez entrer au Viêt Nam ; la lettre d'invitation l'indique."),
    ], required=True),
    _question("departure_date", "date", [
        ("Planned departure from Vietnam", "The date you plan to leave Vietnam."),
        ("Ngày dự kiến xuất cảnh Việt Nam", "Ngày bạn dự định rời Việt Nam."),
        ("베트남 출국 예정일", "베트남을 떠날 예정인 날짜입니다."),
        ("ベトナム出国予定日", "ベトナムを出国する予定の日付です。"),
        ("កាលបរិច្ឆេទគ្រោងចាកចេញពីវៀតណាម", "ថ្ងៃដែលអ្នកគ្រោងចាកចេញពីប្រទេសវៀតណាម។"),
        ("ວັນທີຄາດວ່າຈະອອກຈາກຫວຽດນາມ", "ວັນທີທີ່ທ່ານວາງແຜນອອກຈາກປະເທດຫວຽດນາມ."),
        ("วันที่คาดว่าจะเดินทางออกจากเวียดนาม", "วันที่คุณวางแผนจะออกจากประเทศเวียดนาม"),
        ("Départ prévu du Viêt Nam", "La date à laquelle vous comptez quitter le Viêt Nam."),
    ], required=True),
    _question("port_of_entry", "text", [
        ("Port of entry", "The airport or border crossing where you will enter Vietnam, such as Tân Sơn Nhất airport."),
        ("Cửa khẩu nhập cảnh", "Sân bay hoặc cửa khẩu nơi bạn nhập cảnh Việt Nam, ví dụ sân bay Tân Sơn Nhất."),
        ("입국 지점", "베트남에 입국할 공항 또는 국경 검문소입니다(예: 떤선녓 공항)."),
        ("入国地点", "ベトナムに入国する空港または国境検問所です（例：タンソンニャット空港）。"),
        ("ច្រកចូល", "អាកាសយានដ្ឋាន ឬច្រកព្រំដែនដែលអ្នកនឹងចូលប្រទេសវៀតណាម ឧទាហរណ៍ អាកាសយានដ្ឋានតានសឺនញ៉ាត។"),
        ("ດ່ານເຂົ້າເມືອງ", "ສະໜາມບິນ ຫຼື ດ່ານຊາຍແດນທີ່ທ່ານຈະເຂົ້າປະເທດຫວຽດນາມ ເຊັ່ນ ສະໜາມບິນເຕິນເຊີນເຍິດ."),
        ("ด่านที่เดินทางเข้า", "สนามบินหรือด่านพรมแดนที่คุณจะเข้าประเทศเวียดนาม เช่น ท่าอากาศยานเตินเซินเญิ้ต"),
        ("Point d'entrée", "L'aéroport ou le poste-frontière d'entrée au Viêt Nam, par exemple l'aéroport de Tân Sơn Nhất."),
    ]),
]  # fmt: skip

STUDENT = [
    _question("university", "text", [
        ("University", "The full name of your university or school."),
        ("Trường đại học", "Tên đầy đủ của trường đại học hoặc trường bạn đang theo học."),
        ("대학교", "재학 중인 대학교 또는 학교의 정식 명칭을 입력하세요."),
        ("大学", "在籍している大学または学校の正式名称を入力してください。"),
        ("សាកលវិទ្យាល័យ", "ឈ្មោះពេញនៃសាកលវិទ្យាល័យ ឬសាលារបស់អ្នក។"),
        ("ມະຫາວິທະຍາໄລ", "ຊື່ເຕັມຂອງມະຫາວິທະຍາໄລ ຫຼື ໂຮງຮຽນຂອງທ່ານ."),
        ("มหาวิทยาลัย", "ชื่อเต็มของมหาวิทยาลัยหรือสถานศึกษาของคุณ"),
        ("Université", "Le nom complet de votre université ou école."),
    ], required=True),
    # Sensitive: with the university it names one person in that university's records, and
    # organizers need it only to confirm enrolment, so it is masked, kept out of emails and purged first.
    _question("student_id", "text", [
        ("Student ID number", "As on your student card; the organizers use it only to confirm that you are enrolled."),
        ("Mã số sinh viên", "Như trên thẻ sinh viên; ban tổ chức chỉ dùng để xác nhận bạn đang theo học."),
        ("학번", "학생증에 적힌 대로 입력하세요. 주최 측은 재학 여부 확인에만 사용합니다."),
        ("学籍番号", "学生証の記載どおりに入力してください。主催者は在籍の確認にのみ使用します。"),
        ("លេខសម្គាល់និស្សិត", "ដូចមាននៅលើប័ណ្ណនិស្សិតរបស់អ្នក។ អ្នករៀបចំប្រើវាសម្រាប់តែបញ្ជាក់ថាអ្នកកំពុងសិក្សាប៉ុណ្ណោះ។"),
        ("ລະຫັດນັກສຶກສາ", "ຕາມທີ່ຢູ່ໃນບັດນັກສຶກສາ; ຜູ້ຈັດງານໃຊ້ພຽງເພື່ອຢືນຢັນວ່າທ່ານກຳລັງສຶກສາຢູ່."),
        ("รหัสนักศึกษา", "ตามที่ระบุในบัตรนักศึกษา ผู้จัดงานใช้เพื่อยืนยันว่าคุณเป็นนักศึกษาเท่านั้น"),
        ("Numéro d'étudiant", "Tel qu'il figure sur votre carte d'étudiant ; il sert seulement à vérifier votre inscription."),
    ], required=True, sensitive=True),
    _question("year_of_study", "number", [
        ("Year of study", "1 for the first year, 2 for the second, and so on."),
        ("Sinh viên năm thứ", "Ghi 1 nếu là năm nhất, 2 nếu là năm hai, v.v."),
        ("학년", "1학년이면 1, 2학년이면 2와 같이 입력하세요."),
        ("学年", "1年生なら1、2年生なら2のように入力してください。"),
        ("ឆ្នាំសិក្សា", "សរសេរ 1 សម្រាប់ឆ្នាំទីមួយ 2 សម្រាប់ឆ្នាំទីពីរ ជាដើម។"),
        ("ປີທີຮຽນ", "ຂຽນ 1 ສຳລັບປີທີໜຶ່ງ, 2 ສຳລັບປີທີສອງ ແລະ ອື່ນໆ."),
        ("ชั้นปี", "ใส่ 1 สำหรับปีที่หนึ่ง 2 สำหรับปีที่สอง และต่อไปตามลำดับ"),
        ("Année d'études", "1 pour la première année, 2 pour la deuxième, et ainsi de suite."),
    ], min=1, max=10),
]  # fmt: skip

TRAVEL = [
    _question("arrival_flight", "text", [
        ("Arrival flight", "Airline and flight number, such as VN 417. Leave it empty if you come by road."),
        ("Chuyến bay đến", "Hãng hàng không và số hiệu chuyến bay, ví dụ VN 417. Để trống nếu bạn đến bằng đường bộ."),
        ("도착 항공편", "항공사와 편명을 입력하세요(예: VN 417). 육로로 오시면 비워 두세요."),
        ("到着便", "航空会社と便名を入力してください（例：VN 417）。陸路で来る場合は空欄のままにしてください。"),
        ("ជើងហោះហើរមកដល់", "ក្រុមហ៊ុនអាកាសចរណ៍ និងលេខជើងហោះហើរ ឧទាហរណ៍ VN 417។ ទុកទទេ ប្រសិនបើអ្នកមកតាមផ្លូវគោក។"),
        ("ຖ້ຽວບິນມາຮອດ", "ສາຍການບິນ ແລະ ເລກຖ້ຽວບິນ ເຊັ່ນ VN 417. ປະຫວ່າງໄວ້ ຖ້າທ່ານມາທາງບົກ."),
        ("เที่ยวบินขาเข้า", "สายการบินและหมายเลขเที่ยวบิน เช่น VN 417 เว้นว่างไว้หากเดินทางมาทางบก"),
        ("Vol d'arrivée", "Compagnie et numéro de vol, par exemple VN 417. Laissez vide si vous venez par la route."),
    ]),
    # Text, not a date: the time of day matters to whoever meets the traveller, and no date type holds it.
    _question("arrival_time", "text", [
        ("Arrival date and time", "Local time of your arrival in Cần Thơ, such as 12 June, 14:30, so that someone can meet you."),
        ("Ngày và giờ đến", "Giờ địa phương khi bạn đến Cần Thơ, ví dụ 14:30 ngày 12/6, để có người đón bạn."),
        ("도착 일시", "껀터 도착 현지 시각을 입력하세요(예: 6월 12일 14:30). 마중을 준비하는 데 씁니다."),
        ("到着日時", "カントーに到着する現地時刻を入力してください（例：6月12日 14:30）。お迎えの手配に使います。"),
        ("កាលបរិច្ឆេទ និងម៉ោងមកដល់", "ម៉ោងក្នុងស្រុកពេលអ្នកមកដល់ក្រុងកន្ធរ ឧទាហរណ៍ ថ្ងៃទី 12 ខែមិថុនា ម៉ោង 14:30 ដើម្បីឱ្យមានអ្នកមកទទួល។"),
        ("ວັນ ແລະ ເວລາມາຮອດ", "ເວລາທ້ອງຖິ່ນທີ່ທ່ານມາຮອດກັນເທີ ເຊັ່ນ 12 ມິຖຸນາ 14:30 ເພື່ອໃຫ້ມີຄົນໄປຮັບ."),
        ("วันและเวลาที่มาถึง", "เวลาท้องถิ่นที่คุณมาถึงเกิ่นเทอ เช่น 12 มิถุนายน 14:30 เพื่อให้มีผู้ไปรับ"),
        ("Date et heure d'arrivée",
         "Heure locale d'arrivée à Cần Thơ (par exemple 12 juin, 14 h 30), pour qu'on vous accueille."),
    ]),
    _question("accommodation", "long_text", [
        ("Accommodation", "Where you will stay (hotel name and address), or that you would like help finding a place."),
        ("Nơi lưu trú", "Nơi bạn sẽ ở (tên và địa chỉ khách sạn), hoặc cho biết nếu bạn cần được giúp tìm chỗ ở."),
        ("숙소", "머무를 곳(호텔 이름과 주소)을 적거나, 숙소를 찾는 데 도움이 필요하면 알려 주세요."),
        ("宿泊先", "滞在先（ホテル名と住所）を記入してください。宿探しの手伝いが必要な場合はその旨をお書きください。"),
        ("កន្លែងស្នាក់នៅ", "កន្លែងដែលអ្នកនឹងស្នាក់នៅ (ឈ្មោះ និងអាសយដ្ឋានសណ្ឋាគារ) ឬប្រាប់យើងប្រសិនបើអ្នកត្រូវការជំនួយក្នុងការស្វែងរកកន្លែងស្នាក់នៅ។"),
        ("ທີ່ພັກ", "ບ່ອນທີ່ທ່ານຈະພັກ (ຊື່ ແລະ ທີ່ຢູ່ຂອງໂຮງແຮມ) ຫຼື ບອກພວກເຮົາຖ້າທ່ານຕ້ອງການໃຫ້ຊ່ວຍຊອກຫາທີ່ພັກ."),
        ("ที่พัก", "ที่ที่คุณจะพัก (ชื่อและที่อยู่ของโรงแรม) หรือแจ้งหากต้องการให้ช่วยหาที่พัก"),
        ("Hébergement", "Où vous logerez (nom et adresse de l'hôtel), ou si vous souhaitez de l'aide pour trouver un logement."),
    ]),
]  # fmt: skip

QUESTION_SETS: dict[str, QuestionSet] = {
    "visa_letter": QuestionSet(_l("Visa letter"), VISA_LETTER),
    "student": QuestionSet(_l("Student"), STUDENT),
    "travel": QuestionSet(_l("Travel"), TRAVEL),
}
