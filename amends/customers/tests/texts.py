"""Made-up customers for the value import tests: names in the four languages."""

HEADER = "email,name,purchases_per_year,expected_years,margin_per_purchase"

HEBREW = ["נועה כהן", "יוסי מזרחי", "שירה אברהם", "דוד פרץ", "מיכל ביטון"]
ARABIC = ["ليلى حسن", "خالد منصور", "محمد عبد الله", "فاطمة الزهراء", "يوسف عيسى"]
RUSSIAN = ["Анна Смирнова", "Игорь Волков", "Мария Иванова", "Сергей Кузнецов", "Ольга Попова"]
