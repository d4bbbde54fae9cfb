from bot.text.scripts import detect_script, fold_diacritics, normalize_for_nlu, render, to_cyrillic, to_latin


def test_cyrillic_and_latin_fold_to_the_same_form() -> None:
    assert normalize_for_nlu("Ђак ЖЕЛИ помоћ") == normalize_for_nlu("Đak želi pomoć") == "djak zeli pomoc"


def test_folding_keeps_letters_people_type_without_diacritics() -> None:
    assert fold_diacritics("čćšžđ ČĆŠŽĐ") == "ccszdj CCSZDj"


def test_normalisation_collapses_space_and_case() -> None:
    assert normalize_for_nlu("  TUKU   me\n\tu školi ") == "tuku me u skoli"


def test_cyrillic_rendering_of_authored_text() -> None:
    assert to_cyrillic("Ljubav i njega, džep, đak, ćao") == "Љубав и њега, џеп, ђак, ћао"


def test_all_caps_digraphs_are_single_letters() -> None:
    assert to_cyrillic("LJUBAV NJEGA") == "ЉУБАВ ЊЕГА"


def test_codes_numbers_placeholders_and_names_stay_latin() -> None:
    rendered = to_cyrillic("Kod JS-7F3Q-9K2M, PIN 123456, nazovi {police} ili piši na Telegram. English")
    assert "JS-7F3Q-9K2M" in rendered and "123456" in rendered and "{police}" in rendered
    assert "Telegram" in rendered and "English" in rendered
    assert rendered.startswith("Код")


def test_render_only_changes_text_for_cyrillic_readers() -> None:
    assert render("Zdravo", "latin") == "Zdravo"
    assert render("Zdravo", None) == "Zdravo"
    assert render("Zdravo", "cyrillic") == "Здраво"


def test_round_trip_back_to_latin() -> None:
    assert to_latin(to_cyrillic("Šta se desilo u školi?")) == "Šta se desilo u školi?"


def test_script_detection() -> None:
    assert detect_script("Помози ми") == "cyrillic"
    assert detect_script("pomozi mi") == "latin"
    assert detect_script("123 🙂") is None
    assert detect_script("ok Помози ми молим") == "cyrillic"


def test_gendered_slash_forms_are_fully_rendered() -> None:
    assert to_cyrillic("nisam mogao/la") == "нисам могао/ла"
